namespace Push.Core.Events;

/// <summary>The wire values of <c>data.reason</c> in <c>push.call.ended</c>.</summary>
public static class CallEndReasons
{
    public const string AnsweredElsewhere = "answered-elsewhere";
    public const string Cancelled = "cancelled";
    public const string Missed = "missed";

    public static IReadOnlyList<string> All { get; } = [AnsweredElsewhere, Cancelled, Missed];
}
