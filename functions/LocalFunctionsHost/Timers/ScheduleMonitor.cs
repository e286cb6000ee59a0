using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace LocalFunctionsHost.Timers;

/// <summary>
/// Keeps a timer's <see cref="ScheduleStatus"/> in blob <c>timers/&lt;hostId&gt;/Host.Functions.&lt;function&gt;/status</c> (Functions'
/// <c>StorageScheduleMonitor</c>). Writes are conditional on the version last read or written, so an instance that
/// lost the lease without noticing cannot overwrite its successor's status unseen.
/// </summary>
internal sealed class ScheduleMonitor(BlobContainerClient container, string hostId, string functionName)
{
    private readonly BlobClient _blob = container.GetBlobClient($"timers/{hostId}/Host.Functions.{functionName}/status");
    private ETag? _etag;

    /// <summary>Reads the status; null if there is none yet, or (with <paramref name="unreadable"/>) if it was not valid JSON.</summary>
    public async Task<(ScheduleStatus? Status, bool Unreadable)> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var content = (await _blob.DownloadContentAsync(cancellationToken)).Value;
            _etag = content.Details.ETag;
            try
            {
                return (JsonSerializer.Deserialize(content.Content.ToMemory().Span, ScheduleStatusJsonContext.Default.ScheduleStatus), false);
            }
            catch (JsonException)
            {
                return (null, true);
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            _etag = null;
            return (null, false);
        }
    }

    public async Task WriteAsync(ScheduleStatus status, CancellationToken cancellationToken)
    {
        var conditions = _etag is { } etag ? new BlobRequestConditions { IfMatch = etag } : new BlobRequestConditions { IfNoneMatch = ETag.All };
        try
        {
            var result = await _blob.UploadAsync(BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(status, ScheduleStatusJsonContext.Default.ScheduleStatus)),
                new BlobUploadOptions
                {
                    Conditions = conditions,
                    HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
                }, cancellationToken);
            _etag = result.Value.ETag;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            throw new ScheduleStatusConflictException(functionName);
        }
    }

    /// <summary>
    /// Decides, when an instance takes over the timer at <paramref name="now"/>, where the schedule continues (the
    /// logic of Functions' <c>ScheduleMonitor.CheckPastDueAsync</c>): no status yet → record the next occurrence; the
    /// schedule changed since → start afresh from now; the recorded next occurrence passed → it is past due.
    /// </summary>
    public static ScheduleCheck Evaluate(ScheduleStatus? status, TimerSchedule schedule, DateTimeOffset now)
    {
        if (status is null)
        {
            return schedule.GetNextOccurrence(now) is { } first
                ? new ScheduleCheck(new ScheduleStatus(null, first, now), MustWrite: true, PastDueOccurrence: null, ScheduleChanged: false)
                : new ScheduleCheck(null, MustWrite: false, PastDueOccurrence: null, ScheduleChanged: false);
        }
        // Next was computed from Last (or, before the first run, from LastUpdated); if the current schedule gives a
        // different answer, the expression was changed, and the old Next says nothing about a missed run.
        var expected = schedule.GetNextOccurrence(status.Last ?? status.LastUpdated);
        if (expected != status.Next)
        {
            return schedule.GetNextOccurrence(now) is { } next
                ? new ScheduleCheck(new ScheduleStatus(null, next, now), MustWrite: true, PastDueOccurrence: null, ScheduleChanged: true)
                : new ScheduleCheck(null, MustWrite: false, PastDueOccurrence: null, ScheduleChanged: true);
        }
        return new ScheduleCheck(status, MustWrite: false, PastDueOccurrence: now > status.Next ? status.Next : null, ScheduleChanged: false);
    }
}
