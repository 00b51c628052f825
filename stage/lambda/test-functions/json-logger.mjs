// Writes one JSON line straight to stdout (as a structured logger does) and one console.log line.
export const handler = async (event) => {
  process.stdout.write(
    `${JSON.stringify({ level: "INFO", message: "structured", id: event?.id ?? null })}\n`,
  );
  console.log("plain");
  return "ok";
};
