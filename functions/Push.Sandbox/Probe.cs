namespace Push.Sandbox;

/// <summary>
/// `Push.Sandbox probe URL`: a GET with the platform's default certificate validation, so a test can show
/// that SSL_CERT_FILE=trust-bundle.pem is what makes another process trust the sandbox.
/// </summary>
internal static class Probe
{
    public static async Task<int> RunAsync(Uri url)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            using var response = await client.GetAsync(url);
            Console.WriteLine($"probe: {(int)response.StatusCode}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (HttpRequestException ex)
        {
            Console.WriteLine($"probe failed: {ex.Message} {ex.InnerException?.Message}");
            return 1;
        }
    }
}
