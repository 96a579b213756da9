// Filled in by the network foundation work: starts the network when none is running.
module.exports = async () => {};
