/** A problem the user can fix (port in use, folder locked, …): `npm start` prints its message without a stack. */
export class StartError extends Error {}
