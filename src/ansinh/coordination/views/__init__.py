"""Pages of the coordination board: the board and its figures, the forms that create an item
(the desktop's and the village head's phone screen) in :mod:`.board`; an item's page, its
thread, buttons and photos in :mod:`.item`. Reads through the selectors, writes through the
services."""
