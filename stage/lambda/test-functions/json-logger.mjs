// Writes one JSON line straight to stdout (as a structured logger does), one console.log and one console.debug line.
export const handler = async (event) => {
  process.stdout.write(
    `${JSON.stringify({ level: "INFO", message: "structured", id: event?.id ?? null })}\n`,
  );
  console.log("plain");
  console.debug("dropped below the INFO level in the JSON format");
  return "ok";
};
