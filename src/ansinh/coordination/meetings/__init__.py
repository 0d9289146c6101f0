"""Committee meetings (họp Ban Chỉ đạo): an agenda built from the board's open items, minutes
with one decision per item (and the follow-up task it creates), the printed minutes; items
postponed (hoãn) carry over to the next meeting. Models in :mod:`.models`, writes in
:mod:`.services`, reads in :mod:`.selectors`, pages in :mod:`.views`, the PDF in
:mod:`.documents`."""
