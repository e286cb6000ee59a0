using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Push.Core.Events;
using Push.Core.Protection;
using Push.Core.Registry;
using Push.Core.Routing;

namespace Push.Bench.Micro;

/// <summary>A device with a wrapped key, the product's cipher and composer, and an IM of about 1 KB sealed.</summary>
public sealed class Fixtures : IDisposable
{
    public Fixtures()
    {
        var kek = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        Protector = new AesGcmDeviceKeyProtector(Options.Create(new DeviceKeyProtectionOptions { KeyEncryptionKey = kek, KeyEncryptionKeyId = "kek_bench" }));
        DeviceKey = RandomNumberGenerator.GetBytes(32);
        var wrapped = Protector.Wrap("key-1", DeviceKey);
        Device = new RegisteredDevice("alice", "alice-iphone", DevicePlatform.Ios, "com.example.pushrelay",
            Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)), Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
            PushEnvironment.Sandbox, null, wrapped, DateTimeOffset.UtcNow, "etag");
        Cipher = new AesGcmPayloadCipher(Protector);
        Composer = new PushComposer(Cipher, TimeProvider.System, new RoutingOptions
        {
            ConversationHashKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        });
        // A preview long enough that the sealed IM is about 1 KB.
        Im = new PushEvent("evt-" + Guid.NewGuid().ToString("N"), PushEventTypes.ImMessage, "im-server", DateTimeOffset.UtcNow, "alice",
            new ImMessageData("conv-1", "msg-1", new ImSender("Bob", "bob@example.com"), new string('x', 560), 3));
    }

    public AesGcmDeviceKeyProtector Protector { get; }
    public byte[] DeviceKey { get; }
    public RegisteredDevice Device { get; }
    public AesGcmPayloadCipher Cipher { get; }
    public PushComposer Composer { get; }
    public PushEvent Im { get; }

    public void Dispose()
    {
        Cipher.Dispose();
        Protector.Dispose();
    }
}
