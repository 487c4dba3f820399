"""Serial devices of a kiosk: the queue-ticket printer, the barcode scanner and the button panel.

Each sits behind a small interface (kiosk.devices.interfaces) with a pyserial driver and a fake;
kiosk.devices.factory picks one from the config and imports the driver only when it is needed.
The byte-level rules (ESC/POS layout and status, line framing, booking codes, panel lines) are
pure modules without I/O. Device threads never touch widgets: the kiosk's UI posts their events
to Kivy's main thread.
"""
