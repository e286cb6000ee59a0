using System.Text.Json.Serialization;

namespace LocalFunctionsHost.Timers;

/// <summary>
/// The persisted state of one timer (Functions' <c>ScheduleStatus</c>): the occurrence that last ran, the next one
/// expected, and when this was written. It outlives the instances, which is how a run missed while all of them were
/// down is noticed.
/// </summary>
internal sealed record ScheduleStatus(
    [property: JsonPropertyName("Last")] DateTimeOffset? Last,
    [property: JsonPropertyName("Next")] DateTimeOffset Next,
    [property: JsonPropertyName("LastUpdated")] DateTimeOffset LastUpdated);
