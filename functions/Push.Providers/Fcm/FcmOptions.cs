namespace Push.Providers.Fcm;

/// <summary>FCM HTTP v1 client settings, bound from the configuration section <c>Fcm</c> and validated at start.</summary>
public sealed class FcmOptions
{
    public const string SectionName = "Fcm";

    public static readonly Uri ProductionEndpoint = new("https://fcm.googleapis.com");

    /// <summary>The FCM base URL (https). Default https://fcm.googleapis.com.</summary>
    public Uri Endpoint { get; set; } = ProductionEndpoint;

    /// <summary>The Google service-account JSON (client_email, private_key, token_uri, project_id).</summary>
    public string ServiceAccountPath { get; set; } = "";

    /// <summary>Overrides the JSON's <c>project_id</c> when set.</summary>
    public string? ProjectId { get; set; }

    /// <summary>Time allowed per send, the OAuth token fetch included. Default 10 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long before its expiry an access token is replaced. Default 5 minutes.</summary>
    public TimeSpan TokenRefreshMargin { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>An optional PEM file of CA certificates that alone are trusted for FCM and the token endpoint.</summary>
    public string? TrustedCaPath { get; set; }

    /// <summary>An optional outbound proxy, used for FCM and the token endpoint.</summary>
    public ProxyOptions Proxy { get; set; } = new();
}
