using Push.Providers.Http;

namespace Push.Providers.Fcm;

/// <summary>
/// Lets Google.Apis.Auth reach the token endpoint with the same TLS trust and proxy as FCM itself.
/// </summary>
internal sealed class GoogleHttpClientFactory(FcmOptions options) : Google.Apis.Http.HttpClientFactory
{
    protected override HttpMessageHandler CreateHandler(Google.Apis.Http.CreateHttpClientArgs args) =>
        ProviderHttpHandlers.Create("Fcm", options.TrustedCaPath, options.Proxy, options.RequestTimeout);
}
