using System.Diagnostics.Metrics;

namespace Push.Core.Credentials;

/// <summary>Metrics of the shared provider tokens (Meter <c>Push.Credentials</c>).</summary>
public static class CredentialsTelemetry
{
    public const string MeterName = "Push.Credentials";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>A refresh that could not produce a token (secret missing or malformed, store or provider failure); alarm on it.</summary>
    public static readonly Counter<long> RefreshFailed = Meter.CreateCounter<long>("push.tokens.refresh_failed", description: "Provider-token refreshes that failed");

    /// <summary>Tokens this instance minted and stored (a mint that lost the race to another instance is not counted).</summary>
    public static readonly Counter<long> Stored = Meter.CreateCounter<long>("push.tokens.stored", description: "Provider tokens minted and stored");

    internal static void RecordRefreshFailed(ProviderTokenKind kind, string reason) =>
        RefreshFailed.Add(1, new KeyValuePair<string, object?>("push.provider", Provider(kind)), new KeyValuePair<string, object?>("reason", reason));

    internal static void RecordStored(ProviderTokenKind kind) =>
        Stored.Add(1, new KeyValuePair<string, object?>("push.provider", Provider(kind)));

    internal static string Provider(ProviderTokenKind kind) => kind == ProviderTokenKind.Apns ? "apns" : "fcm";
}
