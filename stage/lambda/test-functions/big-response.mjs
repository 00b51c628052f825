// Returns a string of event.bytes characters (past Lambda's 6 MB response limit by default).
export const handler = async (event) => "x".repeat(event?.bytes ?? 7 * 1024 * 1024);
