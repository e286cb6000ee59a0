namespace Push.Sandbox;

/// <summary>How a <see cref="SandboxServer"/> is started.</summary>
public sealed class SandboxOptions
{
    /// <summary>Where ca.pem, trust-bundle.pem, generated credentials and sandbox.json are written.</summary>
    public string StateDirectory { get; set; } = Path.Combine(".local", "sandbox");

    /// <summary>APNs (HTTP/2 + TLS) port; 0 picks a free port.</summary>
    public int ApnsPort { get; set; }

    /// <summary>FCM + OAuth + control API (HTTPS, HTTP/1.1 and HTTP/2) port; 0 picks a free port.</summary>
    public int FcmPort { get; set; }

    /// <summary>Write (or reuse) an APNs .p8 key and an FCM service-account JSON into the state directory and register them.</summary>
    public bool GenerateCredentials { get; set; }

    /// <summary>The clock for JWT ages, token-update rate and access-token expiry (tests inject a fake one).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Answer 429 TooManyProviderTokenUpdates when a team presents a new provider token within 20 minutes of the last one.</summary>
    public bool EnforceTokenUpdateRate { get; set; } = true;

    /// <summary>expires_in of the OAuth access tokens (Google: 3599).</summary>
    public int AccessTokenLifetimeSeconds { get; set; } = 3599;

    /// <summary>SETTINGS_MAX_CONCURRENT_STREAMS advertised by the HTTP/2 endpoints (Apple has been seen at 500 to 1,500).</summary>
    public int MaxConcurrentStreams { get; set; } = 1000;
}
