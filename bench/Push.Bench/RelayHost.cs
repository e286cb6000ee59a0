using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Push.Core.Protection;
using Push.Core.Registry;
using Push.Functions.Composition;
using Push.Hosting.Configuration;

namespace Push.Bench;

/// <summary>
/// The relay host composed exactly as Push.Functions' Program does (same content root, host.json, settings),
/// except that with <c>passthrough</c> the benchmark registers <see cref="PassThroughCipher"/> before
/// AddPushRelay (which only TryAdds the AES-GCM cipher). No product switch: the swap is this composition's.
/// </summary>
internal static class RelayHost
{
    public static async Task<int> RunAsync(string cipher, string contentRoot)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = contentRoot });
        builder.Configuration.AddFunctionsHostJson(Path.Combine(contentRoot, "host.json"));
        switch (cipher)
        {
            case "passthrough": builder.Services.AddSingleton<IPayloadCipher, PassThroughCipher>(); break;
            case "aesgcm": break;
            default: throw new ArgumentException($"cipher must be aesgcm or passthrough, got '{cipher}'");
        }
        builder.Services.AddPushRelay(builder.Configuration);
        builder.Services.AddTelemetryExport(builder.Logging, builder.Configuration);
        using var host = builder.Build();
        await host.RunAsync();
        return 0;
    }
}

/// <summary>
/// The envelope AesGcmPayloadCipher produces, same sizes (12-byte nonce, plaintext + 16-byte tag), with no key
/// unwrap and no encryption: what the pipeline costs without its crypto.
/// </summary>
internal sealed class PassThroughCipher : IPayloadCipher
{
    private static readonly byte[] Nonce = new byte[PushEnvelope.NonceBytes];

    public PushEnvelope Seal(RegisteredDevice device, string envelopeType, string trackingId, ReadOnlySpan<byte> plaintext)
    {
        var ciphertext = new byte[plaintext.Length + PushEnvelope.TagBytes];
        plaintext.CopyTo(ciphertext);
        return new PushEnvelope(PushEnvelope.CurrentVersion, envelopeType, trackingId, device.WrappedKey.KeyId, Nonce, ciphertext);
    }
}
