namespace Push.Providers;

/// <summary>
/// The configured provider credentials cannot be used (a missing or malformed key or service account): a
/// push that needs them fails for good until an operator fixes them, so it is not retried. The message
/// names the setting and never holds key material.
/// </summary>
public class ProviderCredentialsException : Exception
{
    public ProviderCredentialsException(string message)
        : base(message)
    {
    }

    public ProviderCredentialsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
