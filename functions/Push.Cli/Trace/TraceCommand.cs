using System.CommandLine;
using Push.Core.Ledger;

namespace Push.Cli.Trace;

/// <summary><c>push trace &lt;tracking-id&gt;</c>: each device's outcome for one event, from the delivery ledger.</summary>
public static class TraceCommand
{
    public static Command Create(CliContext context)
    {
        var trackingId = new Argument<string>("tracking-id") { Description = "The event's id, as publish printed it." };
        var command = new Command("trace", "Show each device's outcome for one event.") { trackingId };
        command.SetAction(async (result, ct) =>
        {
            var id = result.GetRequiredValue(trackingId);
            var entries = await context.Ledger.GetAsync(id, ct);
            if (entries.Count == 0)
            {
                Console.WriteLine($"{id}: no outcome recorded yet (not processed, or an unknown tracking id)");
                return 1;
            }
            Console.WriteLine($"{"DEVICE",-24} {"STATUS",-13} {"PROVIDER",-8} {"ATTEMPTS",-8} {"REASON",-32} LAST ATTEMPT");
            foreach (var entry in entries.Values.OrderBy(e => e.DeviceId, StringComparer.Ordinal))
            {
                var device = entry.DeviceId switch
                {
                    LedgerEntry.NoDevicesRowKey => "(no devices)",
                    LedgerEntry.NoMatchingDevicesRowKey => "(no device matched)",
                    _ => entry.DeviceId,
                };
                Console.WriteLine($"{device,-24} {entry.Status,-13} {entry.Provider ?? "-",-8} {entry.Attempts,-8} {entry.Reason ?? "-",-32} {entry.LastAttemptAt:u}");
            }
            return 0;
        });
        return command;
    }
}
