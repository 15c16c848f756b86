'use strict';

/** Something the user asked for is wrong (exit 2, with the usage). */
class UsageError extends Error {}

/** The stack answered no, or not at all (exit 1). */
class CommandError extends Error {}

module.exports = { UsageError, CommandError };
