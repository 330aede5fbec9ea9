"""Static files of the /dashboard page; a package only so that installs carry them."""
