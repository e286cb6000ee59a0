using System.CommandLine;
using System.Text;
using Push.Core.DeadLetters;

namespace Push.Cli.DeadLetters;

/// <summary>
/// <c>push dlq list|show|replay|purge</c>: the operator's view of the poison queues and the dead-letter archive. Bodies
/// are personal data: only <c>show --show-body</c> prints one, and never a device key.
/// </summary>
public static class DlqCommands
{
    private static readonly Option<string?> QueueOption = new("--queue") { Description = "calls, messages, devices or a queue name (default: all three)." };
    private static readonly Option<string?> ReasonOption = new("--reason") { Description = "Only entries whose reason contains this text." };
    private static readonly Option<string?> OlderThanOption = new("--older-than") { Description = "Only entries dead-lettered at least this long ago (e.g. 10m, 2h, 1d)." };
    private static readonly Option<bool> DryRunOption = new("--dry-run") { Description = "Print what would happen and change nothing." };

    public static Command Create(CliContext context)
    {
        var dlq = new Command("dlq", "Inspect, replay and purge dead-lettered messages (the <queue>-poison queues and the archive).");
        dlq.Add(List(context));
        dlq.Add(Show(context));
        dlq.Add(Replay(context));
        dlq.Add(Purge(context));
        return dlq;
    }

    private static DlqFilter Filter(ParseResult result) =>
        new(result.GetValue(ReasonOption), result.GetValue(OlderThanOption) is { } age ? DlqFilter.ParseAge(age) : null);

    private static Command List(CliContext context)
    {
        var archived = new Option<bool>("--archived") { Description = "List the archive instead of the poison queues." };
        var command = new Command("list", "List dead letters: queue, ids, type, reason, class (never bodies).")
        {
            QueueOption, ReasonOption, OlderThanOption, archived,
        };
        command.SetAction(async (result, ct) =>
        {
            var filter = Filter(result);
            var session = DlqSession.Open(context, result.GetValue(QueueOption));
            var now = DateTimeOffset.UtcNow;
            // Rows are gathered before anything is printed, so a failure reads as one line, not half a table.
            var rows = new List<string>();
            if (result.GetValue(archived))
            {
                foreach (var queue in session.Queues)
                {
                    await foreach (var row in session.Archive.ListAsync(queue, ct))
                    {
                        if (!filter.Matches(row.Reason, row.LastAttemptAt, now)) continue;
                        rows.Add(Row(row.SourceQueue, row.MessageId, row.TrackingId, row.EventType, row.Reason, row.Class, row.DequeueCount, row.LastAttemptAt));
                    }
                }
            }
            else
            {
                var entries = await session.TakeAllAsync(ct);
                try
                {
                    foreach (var entry in entries.Where(e => filter.Matches(e, now)).OrderBy(e => e.DeadLetteredOn))
                    {
                        var assessment = await session.Triage.AssessAsync(entry, ct);
                        rows.Add(Row(entry.SourceQueue, entry.MessageId, assessment.TrackingId, assessment.EventType, entry.Reason.ToString(), assessment.Class, entry.DequeueCount, entry.DeadLetteredOn));
                    }
                }
                finally
                {
                    await session.ReleaseAsync(entries, CancellationToken.None);
                }
            }
            var archivedToo = rows.Count == 0 && !result.GetValue(archived) ? await CountArchivedAsync(session, filter, now, ct) : 0;
            Console.WriteLine($"{"QUEUE",-16} {"MESSAGE ID",-36} {"TRACKING ID",-36} {"TYPE",-24} {"REASON",-36} {"CLASS",-11} {"DEQ",3} DEAD-LETTERED AT");
            rows.ForEach(Console.WriteLine);
            Console.WriteLine(archivedToo > 0
                // The timer archives what it cannot replay: an empty poison queue does not mean nothing failed.
                ? $"0 dead letter(s) pending; {archivedToo} archived (push dlq list --archived shows them)"
                : $"{rows.Count} dead letter(s){(result.GetValue(archived) ? " archived" : "")}");
            return 0;
        });
        return command;
    }

    private static async Task<int> CountArchivedAsync(DlqSession session, DlqFilter filter, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var count = 0;
        foreach (var queue in session.Queues)
        {
            await foreach (var row in session.Archive.ListAsync(queue, cancellationToken))
            {
                if (filter.Matches(row.Reason, row.LastAttemptAt, now)) count++;
            }
        }
        return count;
    }

    private static string Row(string queue, string messageId, string? trackingId, string? type, string reason, DeadLetterClass cls, long dequeueCount, DateTimeOffset at) =>
        $"{queue,-16} {messageId,-36} {trackingId ?? "-",-36} {type ?? "-",-24} {reason,-36} {cls,-11} {dequeueCount,3} {at:u}";

    private static Command Show(CliContext context)
    {
        var id = new Argument<string>("id")
        {
            Description = "A message id as list printed it (the original message's id, or the poison entry's), or the event's tracking id.",
        };
        var showBody = new Option<bool>("--show-body")
        {
            Description = "Also print the original event (personal data; device keys are always redacted). An original that never decoded is printed as base64 of its raw bytes.",
        };
        var command = new Command("show", "Show dead letters by message id or tracking id, from the poison queues and the archive.") { id, QueueOption, showBody };
        command.SetAction(async (result, ct) =>
        {
            var wanted = result.GetRequiredValue(id);
            var withBody = result.GetValue(showBody);
            var session = DlqSession.Open(context, result.GetValue(QueueOption));
            var found = 0;
            var entries = await session.TakeAllAsync(ct);
            try
            {
                var now = DateTimeOffset.UtcNow;
                foreach (var entry in entries)
                {
                    var a = await session.Triage.AssessAsync(entry, ct);
                    if (entry.MessageId != wanted && entry.PoisonMessageId != wanted && a.TrackingId != wanted) continue;
                    if (found++ > 0) Console.WriteLine();
                    PrintFields(("Where", session.DeadLetterLocation(entry.SourceQueue)), ("Message id", entry.MessageId), ("Poison entry id", entry.PoisonMessageId),
                        ("Tracking id", a.TrackingId), ("Type", a.EventType), ("Reason", entry.Reason.ToString()), ("Description", entry.Description),
                        ("Class", a.Class + (a.Detail is null ? "" : $" ({a.Detail})")), ("Dequeue count", Invariant(entry.DequeueCount)),
                        ("First attempt", Invariant(entry.InsertedOn)), ("Dead-lettered at", Invariant(entry.DeadLetteredOn)));
                    if (withBody)
                    {
                        // A readable record whose original never decoded: the raw bytes are the original's text as the queue held it.
                        PrintBody(entry.OriginalBody, entry.IsReadable ? entry.OriginalMessageText : entry.RawText,
                            entry.IsReadable ? NeverDecoded : UnreadableRecord);
                    }
                }
            }
            finally
            {
                await session.ReleaseAsync(entries, CancellationToken.None);
            }
            foreach (var queue in session.Queues)
            {
                await foreach (var row in session.Archive.ListAsync(queue, ct))
                {
                    if (row.MessageId != wanted && row.TrackingId != wanted) continue;
                    if (found++ > 0) Console.WriteLine();
                    PrintFields(("Where", "archive"), ("Message id", row.MessageId), ("Queue", row.SourceQueue), ("Tracking id", row.TrackingId),
                        ("Type", row.EventType), ("Reason", row.Reason), ("Description", row.Description),
                        ("Class", row.Class + (row.Detail is null ? "" : $" ({row.Detail})")),
                        ("Dequeue count", Invariant(row.DequeueCount)), ("Replays", Invariant(row.ReplayCount)),
                        ("First attempt", Invariant(row.FirstAttemptAt)), ("Dead-lettered at", Invariant(row.LastAttemptAt)),
                        ("Archived at", Invariant(row.ArchivedAt)), ("Original kept as", row.OriginalForm.ToString()));
                    if (withBody)
                    {
                        var original = row.Original is null ? null : Encoding.UTF8.GetString(row.Original);
                        var body = row.OriginalForm switch
                        {
                            ArchivedOriginalForm.RedactedBody => row.Original,
                            ArchivedOriginalForm.MessageText when original is not null && TryBase64(original) is { } decoded => decoded,
                            _ => null,
                        };
                        // Explicitly null: a null byte[] would otherwise convert to an empty, non-null body.
                        PrintBody(body is null ? (ReadOnlyMemory<byte>?)null : body, body is null ? original : null, row.OriginalForm == ArchivedOriginalForm.RawEntry ? UnreadableRecord : NeverDecoded,
                            withheld: row.OriginalForm == ArchivedOriginalForm.Withheld);
                    }
                }
            }
            if (found == 0)
            {
                Console.WriteLine($"{wanted}: no such dead letter (message id or tracking id) in {string.Join(", ", session.Queues.Select(session.DeadLetterLocation))} or the archive");
                return 1;
            }
            return 0;
        });
        return command;
    }

    private static string Invariant(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string? Invariant(DateTimeOffset? value) => value?.ToString("u", System.Globalization.CultureInfo.InvariantCulture);

    private static byte[]? TryBase64(string text)
    {
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out var written) ? buffer[..written] : null;
    }

    private static void PrintFields(params (string Name, string? Value)[] fields)
    {
        foreach (var (name, value) in fields) Console.WriteLine($"{name + ":",-18} {value ?? "-"}");
    }

    private const string NeverDecoded = "the original never decoded";
    private const string UnreadableRecord = "the dead-letter record itself is unreadable";

    /// <param name="body">The decoded event, when it decoded.</param>
    /// <param name="raw">Otherwise the text as it was kept (the original message text, or an unreadable entry's own text).</param>
    /// <param name="rawIs">What <paramref name="raw"/> is, for the label.</param>
    /// <param name="withheld">The archive chose not to keep the bytes.</param>
    private static void PrintBody(ReadOnlyMemory<byte>? body, string? raw, string rawIs, bool withheld = false)
    {
        // Keys never leave the CLI, even on request: the device's key is its only secret.
        if (body is { } bytes)
        {
            Console.WriteLine("Body:");
            Console.WriteLine(DeadLetterRedaction.RedactKeys(bytes) ?? (DeadLetterRedaction.MayHoldKey(bytes.Span)
                ? "(withheld: not JSON, and may hold a device key)"
                : Encoding.UTF8.GetString(bytes.Span)));
        }
        else if (raw is not null)
        {
            var rawBytes = Encoding.UTF8.GetBytes(raw);
            if (DeadLetterRedaction.RedactKeys(rawBytes) is { } redacted)
            {
                // Typically an event published without the queue's base64 encoding: readable JSON, so it can be redacted.
                Console.WriteLine($"Body ({rawIs}; its text as the queue held it, device keys redacted):");
                Console.WriteLine(redacted);
            }
            else if (DeadLetterRedaction.MayHoldKey(rawBytes))
            {
                Console.WriteLine("Body: (withheld: the raw bytes may hold a device key)");
            }
            else
            {
                // Base64, so bytes that are not text (or hold terminal control characters) print safely and exactly.
                Console.WriteLine($"Body ({rawIs}; its raw bytes, {rawBytes.Length}, as base64):");
                Console.WriteLine(Convert.ToBase64String(rawBytes));
            }
        }
        else
        {
            Console.WriteLine(withheld ? "Body: (withheld when archived: the raw bytes may hold a device key)" : "Body: (not available)");
        }
    }

    private static Command Replay(CliContext context)
    {
        var id = new Argument<string?>("message-id") { Description = "The dead letter to replay.", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all") { Description = "Replay every dead letter matching the filters." };
        var command = new Command("replay", "Send dead letters' original messages back to their queue, unchanged, then remove them.")
        {
            id, all, QueueOption, ReasonOption, OlderThanOption, DryRunOption,
        };
        command.SetAction(async (result, ct) =>
        {
            var messageId = result.GetValue(id);
            if (messageId is null == !result.GetValue(all)) throw new CliException("give either a message id or --all");
            var filter = Filter(result);
            var dryRun = result.GetValue(DryRunOption);
            var session = DlqSession.Open(context, result.GetValue(QueueOption));
            var entries = await session.TakeAllAsync(ct);
            var settled = new HashSet<string>(StringComparer.Ordinal);
            var (replayed, skipped) = (0, 0);
            try
            {
                var now = DateTimeOffset.UtcNow;
                foreach (var entry in entries.Where(e => (messageId is null || e.MessageId == messageId || e.PoisonMessageId == messageId) && filter.Matches(e, now)))
                {
                    var assessment = await session.Triage.AssessAsync(entry, ct);
                    if (!entry.IsReadable)
                    {
                        skipped++;
                        Console.WriteLine($"skip    {entry.SourceQueue} {entry.MessageId}: unreadable (purge archives it)");
                        continue;
                    }
                    if (dryRun)
                    {
                        Console.WriteLine($"would replay {entry.SourceQueue} {entry.MessageId} {assessment.TrackingId ?? "-"} ({entry.Reason}, {assessment.Class})");
                    }
                    else
                    {
                        await session.Triage.ReplayAsync(entry, assessment, ct);
                        settled.Add(entry.PoisonMessageId);
                        Console.WriteLine($"replayed {entry.SourceQueue} {entry.MessageId} {assessment.TrackingId ?? "-"}");
                    }
                    replayed++;
                }
            }
            finally
            {
                await session.ReleaseAsync(entries.Where(e => !settled.Contains(e.PoisonMessageId)), CancellationToken.None);
            }
            Console.WriteLine(dryRun ? $"dry run: {replayed} would be replayed, {skipped} skipped; nothing changed" : $"{replayed} replayed, {skipped} skipped");
            return messageId is not null && replayed == 0 ? 1 : 0;
        });
        return command;
    }

    private static Command Purge(CliContext context)
    {
        var yes = new Option<bool>("--yes") { Description = "Confirm: archive and remove every matching dead letter." };
        var command = new Command("purge", "Archive matching dead letters, then remove them from the poison queues.")
        {
            QueueOption, ReasonOption, OlderThanOption, DryRunOption, yes,
        };
        command.SetAction(async (result, ct) =>
        {
            var dryRun = result.GetValue(DryRunOption);
            if (!dryRun && !result.GetValue(yes)) throw new CliException("purge removes dead letters from their queues: add --yes to confirm, or --dry-run to see what it would do");
            var filter = Filter(result);
            var session = DlqSession.Open(context, result.GetValue(QueueOption));
            var entries = await session.TakeAllAsync(ct);
            var settled = new HashSet<string>(StringComparer.Ordinal);
            try
            {
                var now = DateTimeOffset.UtcNow;
                foreach (var entry in entries.Where(e => filter.Matches(e, now)))
                {
                    var assessment = await session.Triage.AssessAsync(entry, ct);
                    if (dryRun)
                    {
                        Console.WriteLine($"would archive {entry.SourceQueue} {entry.MessageId} {assessment.TrackingId ?? "-"} ({entry.Reason}, {assessment.Class})");
                        continue;
                    }
                    // Archive first, delete second (inside ArchiveAsync): an interrupted purge leaves the entry, never loses it.
                    await session.Triage.ArchiveAsync(entry, assessment, "Purged", ct);
                    settled.Add(entry.PoisonMessageId);
                    Console.WriteLine($"archived {entry.SourceQueue} {entry.MessageId} {assessment.TrackingId ?? "-"} ({assessment.Class})");
                }
            }
            finally
            {
                await session.ReleaseAsync(entries.Where(e => !settled.Contains(e.PoisonMessageId)), CancellationToken.None);
            }
            Console.WriteLine(dryRun ? $"dry run: {entries.Count(e => filter.Matches(e, DateTimeOffset.UtcNow))} would be archived; nothing changed" : $"{settled.Count} archived and removed");
            return 0;
        });
        return command;
    }
}
