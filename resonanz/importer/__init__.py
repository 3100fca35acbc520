"""Import an existing blog (WordPress, Blogger, Movable Type) with its comments and linkbacks."""
