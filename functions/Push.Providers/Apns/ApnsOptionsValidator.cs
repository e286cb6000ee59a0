using Microsoft.Extensions.Options;
using Push.Providers.Http;

namespace Push.Providers.Apns;

/// <summary>Checks <see cref="ApnsOptions"/> at start so a bad setting stops the host with a message naming it.</summary>
public sealed class ApnsOptionsValidator : IValidateOptions<ApnsOptions>
{
    public ValidateOptionsResult Validate(string? name, ApnsOptions options)
    {
        var errors = new List<string>();
        if (options.Endpoint is null || !options.Endpoint.IsAbsoluteUri || options.Endpoint.Scheme != Uri.UriSchemeHttps)
        {
            errors.Add("Apns:Endpoint must be an absolute https:// URI (APNs is HTTP/2 over TLS)");
        }
        if (!IsAppleId(options.TeamId))
        {
            errors.Add("Apns:TeamId must be 10 characters A-Z or 0-9");
        }
        if (!IsAppleId(options.KeyId))
        {
            errors.Add("Apns:KeyId must be 10 characters A-Z or 0-9");
        }
        // The key file when one is named. Whether one must be is the composition's call: the relay may read the key from
        // Key Vault instead (and checks that at start), and a client without a token source of its own needs none.
        if (!string.IsNullOrWhiteSpace(options.PrivateKeyPath))
        {
            try
            {
                ApnsSigningKey.Load(options.PrivateKeyPath).Dispose();
            }
            catch (InvalidOperationException ex)
            {
                errors.Add(ex.Message);
            }
        }
        if (options.Connections is < 1 or > 64)
        {
            errors.Add("Apns:Connections must be between 1 and 64");
        }
        if (options.MaxConcurrentStreamsPerConnection is < 1 or > 1000)
        {
            errors.Add("Apns:MaxConcurrentStreamsPerConnection must be between 1 and 1000");
        }
        if (options.RequestTimeout <= TimeSpan.Zero || options.RequestTimeout > TimeSpan.FromMinutes(5))
        {
            errors.Add("Apns:RequestTimeout must be positive and at most 5 minutes");
        }
        if (options.KeepAlivePingDelay <= TimeSpan.Zero)
        {
            errors.Add("Apns:KeepAlivePingDelay must be positive");
        }
        if (options.KeepAlivePingTimeout <= TimeSpan.Zero)
        {
            errors.Add("Apns:KeepAlivePingTimeout must be positive");
        }
        if (options.TokenRefreshInterval < ApnsJwtIssuer.MinimumMintInterval || options.TokenRefreshInterval >= TimeSpan.FromMinutes(60))
        {
            errors.Add("Apns:TokenRefreshInterval must be at least 20 minutes and under 60 minutes (Apple's provider token rules)");
        }
        if (ProviderHttpHandlers.ValidateTrustedCa("Apns", options.TrustedCaPath) is { } caError)
        {
            errors.Add(caError);
        }
        if (ProxyOptions.Validate(options.Proxy, "Apns") is { } proxyError)
        {
            errors.Add(proxyError);
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static bool IsAppleId(string? value) =>
        value is { Length: 10 } && value.All(c => c is (>= 'A' and <= 'Z') or (>= '0' and <= '9'));
}
