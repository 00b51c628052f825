/**
 * The seed's command API, served at POST /dynamodbmanager and on direct invocation. Results keep the
 * DynamoDB response shapes the tutorial's clients read (`Item`, `Attributes`, `Items`/`Count`/`LastEvaluatedKey`).
 * Fixes over the seed: read/update/delete of a missing id is a 404 (the seed answered `{}` or upserted),
 * create of an existing id is a 409 (the seed overwrote it).
 */
import type { CapacityMeter } from "./capacity.ts";
import type { Command } from "./command-schemas.ts";
import { NotFoundError } from "./errors.ts";
import { boundPage, type ItemsRepository } from "./items-repository.ts";

export async function runCommand(
  command: Command,
  repository: ItemsRepository,
  meter: CapacityMeter,
): Promise<unknown> {
  switch (command.operation) {
    case "create":
      return { Item: await repository.create(command.item, meter) };
    case "read": {
      const item = await repository.get(command.id, meter);
      if (!item) throw new NotFoundError(`item "${command.id}" does not exist: create it first`);
      return { Item: item };
    }
    case "update":
      return { Attributes: await repository.patch(command.id, command.patch, meter) };
    case "delete":
      return { Attributes: await repository.delete(command.id, meter) };
    case "list": {
      const page = boundPage(await repository.list(command.limit, command.startKey, meter));
      return {
        Items: page.items,
        Count: page.items.length,
        ...(page.lastKey ? { LastEvaluatedKey: page.lastKey } : {}),
      };
    }
    case "echo":
      return command.payload;
    case "ping":
      return "pong";
  }
}
