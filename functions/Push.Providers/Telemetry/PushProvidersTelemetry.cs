using System.Diagnostics;
using System.Diagnostics.Metrics;
using Push.Providers.Results;

namespace Push.Providers.Telemetry;

/// <summary>
/// The "Push.Providers" ActivitySource and Meter. Tags carry provider, push type and outcome only:
/// never a device token, key or payload.
/// </summary>
public static class PushProvidersTelemetry
{
    public const string Name = "Push.Providers";

    public static readonly ActivitySource ActivitySource = new(Name);

    internal static readonly Meter Meter = new(Name);

    internal static readonly Counter<long> Sends = Meter.CreateCounter<long>(
        "push.provider.sends", unit: "{push}", description: "Pushes sent to a provider, by provider and outcome.");

    internal static readonly Histogram<double> Duration = Meter.CreateHistogram<double>(
        "push.provider.duration", unit: "s", description: "Time from send to the provider's answer.");

    /// <summary>A provider's answer: accepted, or rejected with the reason it maps to.</summary>
    internal static void RecordAnswer(Activity? activity, string provider, PushResult result, TimeSpan elapsed)
    {
        if (result is PushRejected rejected) Record(activity, provider, "rejected", rejected.Reason.ToString(), elapsed);
        else Record(activity, provider, "accepted", null, elapsed);
    }

    internal static void Record(Activity? activity, string provider, string outcome, string? reason, TimeSpan elapsed)
    {
        activity?.SetTag("push.outcome", outcome);
        if (reason is not null)
        {
            activity?.SetTag("push.reason", reason);
        }
        if (outcome != "accepted")
        {
            activity?.SetStatus(ActivityStatusCode.Error, reason);
        }
        var tags = new TagList { { "push.provider", provider }, { "push.outcome", outcome } };
        Sends.Add(1, tags);
        Duration.Record(elapsed.TotalSeconds, tags);
    }
}
