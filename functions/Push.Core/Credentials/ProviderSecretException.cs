namespace Push.Core.Credentials;

/// <summary>
/// A provider secret (the .p8 key or the service-account JSON) is missing or malformed. The message names
/// the setting or Key Vault secret and never contains secret material. A send that needs it is not retried.
/// </summary>
public sealed class ProviderSecretException : Push.Providers.ProviderCredentialsException
{
    public ProviderSecretException(string message)
        : base(message)
    {
    }

    public ProviderSecretException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
