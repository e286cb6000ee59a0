using Microsoft.Extensions.Options;
using Push.Providers.Http;

namespace Push.Providers.Fcm;

/// <summary>Checks <see cref="FcmOptions"/> at start so a bad setting stops the host with a message naming it.</summary>
public sealed class FcmOptionsValidator : IValidateOptions<FcmOptions>
{
    public ValidateOptionsResult Validate(string? name, FcmOptions options)
    {
        var errors = new List<string>();
        if (options.Endpoint is null || !options.Endpoint.IsAbsoluteUri || options.Endpoint.Scheme != Uri.UriSchemeHttps)
        {
            errors.Add("Fcm:Endpoint must be an absolute https:// URI");
        }
        if (options.ProjectId is not null && !IsProjectId(options.ProjectId))
        {
            errors.Add("Fcm:ProjectId must be a Google project id (lower-case letters, digits and hyphens)");
        }
        // The service-account file when one is named (see ApnsOptionsValidator: the relay may read it from Key Vault).
        if (!string.IsNullOrWhiteSpace(options.ServiceAccountPath))
        {
            try
            {
                FcmServiceAccount.Load(options.ServiceAccountPath, requireProjectId: string.IsNullOrEmpty(options.ProjectId));
            }
            catch (InvalidOperationException ex)
            {
                errors.Add(ex.Message);
            }
        }
        else if (string.IsNullOrEmpty(options.ProjectId))
        {
            errors.Add("Fcm:ProjectId is required when Fcm:ServiceAccountPath is not set (the project is otherwise read from the service-account file)");
        }
        if (options.RequestTimeout <= TimeSpan.Zero || options.RequestTimeout > TimeSpan.FromMinutes(5))
        {
            errors.Add("Fcm:RequestTimeout must be positive and at most 5 minutes");
        }
        if (options.TokenRefreshMargin < TimeSpan.Zero || options.TokenRefreshMargin > TimeSpan.FromMinutes(30))
        {
            errors.Add("Fcm:TokenRefreshMargin must be between 0 and 30 minutes");
        }
        if (ProviderHttpHandlers.ValidateTrustedCa("Fcm", options.TrustedCaPath) is { } caError)
        {
            errors.Add(caError);
        }
        if (ProxyOptions.Validate(options.Proxy, "Fcm") is { } proxyError)
        {
            errors.Add(proxyError);
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static bool IsProjectId(string value) =>
        value.Length is > 0 and <= 63 && value.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or ':' or '.');
}
