namespace Push.Providers;

/// <summary>
/// An outbound HTTP proxy for a provider (section <c>Apns:Proxy</c> or <c>Fcm:Proxy</c>). HTTPS requests
/// travel through it as an HTTP CONNECT tunnel, so TLS still ends at the provider and is validated there.
/// </summary>
public sealed class ProxyOptions
{
    /// <summary>The proxy's <c>http://</c> or <c>https://</c> URI. Unset means no proxy.</summary>
    public Uri? Address { get; set; }

    /// <summary>Basic credentials for <c>Proxy-Authorization</c>; optional.</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    internal static string? Validate(ProxyOptions? proxy, string section)
    {
        if (proxy?.Address is null)
        {
            if (!string.IsNullOrEmpty(proxy?.Username))
            {
                return $"{section}:Proxy:Username is set but {section}:Proxy:Address is not";
            }
            return null;
        }
        if (!proxy.Address.IsAbsoluteUri || proxy.Address.Scheme is not ("http" or "https"))
        {
            return $"{section}:Proxy:Address must be an absolute http:// or https:// URI";
        }
        if (string.IsNullOrEmpty(proxy.Username) != string.IsNullOrEmpty(proxy.Password))
        {
            return $"{section}:Proxy:Username and {section}:Proxy:Password must be set together";
        }
        return null;
    }
}
