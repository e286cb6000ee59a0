namespace Push.Providers.Apns;

/// <summary>APNs client settings, bound from the configuration section <c>Apns</c> and validated at start.</summary>
public sealed class ApnsOptions
{
    public const string SectionName = "Apns";

    public static readonly Uri ProductionEndpoint = new("https://api.push.apple.com");
    public static readonly Uri DevelopmentEndpoint = new("https://api.sandbox.push.apple.com");

    /// <summary>The APNs base URL (https). Defaults to production; any compatible endpoint (the sandbox) is allowed.</summary>
    public Uri Endpoint { get; set; } = ProductionEndpoint;

    /// <summary>The Apple developer team id: 10 characters A-Z 0-9.</summary>
    public string TeamId { get; set; } = "";

    /// <summary>The signing key's id: 10 characters A-Z 0-9.</summary>
    public string KeyId { get; set; } = "";

    /// <summary>The .p8 file: a PKCS#8 PEM ("BEGIN PRIVATE KEY") ECDSA P-256 key.</summary>
    public string PrivateKeyPath { get; set; } = "";

    /// <summary>HTTP/2 connections to keep open (each one TCP + TLS connection). Default 1.</summary>
    public int Connections { get; set; } = 1;

    /// <summary>
    /// Requests in flight per connection before a send waits for a free slot. Default 100: on these
    /// machines 100-200 streams per connection was the sweet spot, and APNs allows 500+ once a token is accepted.
    /// </summary>
    public int MaxConcurrentStreamsPerConnection { get; set; } = 100;

    /// <summary>Time allowed per push, waiting for a slot included. Default 10 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Idle time after which an HTTP/2 PING checks the connection. Default 60 s.</summary>
    public TimeSpan KeepAlivePingDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Time to wait for the PING's answer before the connection is dropped. Default 20 s.</summary>
    public TimeSpan KeepAlivePingTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How old a provider token may get before it is re-minted. Apple: no more often than every
    /// 20 minutes, at least every 60. Default 50 minutes; must lie in [20, 60) minutes.
    /// </summary>
    public TimeSpan TokenRefreshInterval { get; set; } = TimeSpan.FromMinutes(50);

    /// <summary>An optional PEM file of CA certificates that alone are trusted for the endpoint (a local sandbox).</summary>
    public string? TrustedCaPath { get; set; }

    /// <summary>An optional outbound proxy.</summary>
    public ProxyOptions Proxy { get; set; } = new();

    /// <summary>
    /// These options for another endpoint (Apple's development one): every other setting is carried over,
    /// including any added later, because the copy is made field by field by the runtime rather than by a
    /// list of properties here. <see cref="Proxy"/> is shared, not copied: options are not changed once bound.
    /// </summary>
    public ApnsOptions WithEndpoint(Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var copy = (ApnsOptions)MemberwiseClone();
        copy.Endpoint = endpoint;
        return copy;
    }
}
