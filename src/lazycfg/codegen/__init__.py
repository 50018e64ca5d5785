"""Config tree -> readable Python source (``to_python``)."""
