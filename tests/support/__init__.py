"""What the tests share, by job; test modules and conftests import from here, never a test
module from another. Fixtures stay in the conftests (tests/conftest.py: x_display, postgres).

paths          the checkout, the example configs, child processes' PYTHONPATH
kiosk_config   example_config(**changes): the example kiosk config, changed where a test says
kiosk_session  a clock the test moves, a stand-in for Kivy's main loop
outbox         a kiosk's outbox as the tests read it
events         events as the kiosk makes them (wire format v1)
storage        small file systems, full disks, read-only and immutable files (root)
host           what a test needs of the machine (root)
postgres       a throwaway PostgreSQL cluster
central        the central in-process: sites, codes, enrolled kiosks, batches, API keys
central_cli    `hymy-central` as a child process and how a refusal must read
console        people who sign in to the console
sync           `hymy-sync`, a fast agent in-process, the exactly-once check
faultproxy     a proxy between agent and central that breaks the network on purpose
deploy         the Raspberry Pi deployment: tools, staging roots, fake venvs, hymy-screen
live_central, oidc, axe, browser_tools   the console in a browser: a served central, an
               OpenID Connect provider, accessibility checks, the tools outside Python
screenshots    what a screenshot of the kiosk must show
doc_commands   how the docs test runs every command the docs show
aio            a coroutine run on a loop of its own (whatever loop the worker runs)
audio          what a WAV file holds: length and loudness (spoken, not silent)
"""
