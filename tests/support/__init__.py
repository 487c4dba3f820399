"""What the tests share: helpers by job, imported by test modules and conftests (never a test
module from another test module). Fixtures stay in the conftests."""
