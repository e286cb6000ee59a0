using System.Security.Cryptography;
using System.Text;
using Push.Core.Protection;
using Push.Testing.Phones;

namespace Push.Core.Tests.Protection;

public sealed class AesGcmPayloadCipherTests
{
    private const string Type = "push.im.message";
    private static readonly byte[] Plaintext = Encoding.UTF8.GetBytes("{\"preview\":\"hello\"}");
    private readonly TestKeyProtector _protector = new();

    [Fact]
    public void The_device_opens_what_was_sealed_for_it()
    {
        var phone = TestDevices.Android(_protector);
        using var cipher = new AesGcmPayloadCipher(_protector);

        var envelope = cipher.Seal(phone.Device, Type, "track-1", Plaintext);
        var opened = ReferencePhone.OpenFcm(envelope.ToFcmData(), phone.Key, phone.Device.DeviceId);

        Assert.Equal("{\"preview\":\"hello\"}", opened.PlaintextJson);
        Assert.Equal((1, Type, "track-1", "k1"), (opened.Version, opened.Type, opened.TrackingId, opened.KeyId));
        Assert.Equal(PushEnvelope.NonceBytes, envelope.Nonce.Length);
        Assert.Equal(Plaintext.Length + PushEnvelope.TagBytes, envelope.Ciphertext.Length);
    }

    [Fact]
    public void Another_key_another_device_or_another_tracking_id_cannot_open_it()
    {
        var phone = TestDevices.Android(_protector);
        using var cipher = new AesGcmPayloadCipher(_protector);
        var data = cipher.Seal(phone.Device, Type, "track-1", Plaintext).ToFcmData();

        Assert.ThrowsAny<CryptographicException>(() => ReferencePhone.OpenFcm(data, RandomNumberGenerator.GetBytes(32), phone.Device.DeviceId));
        Assert.ThrowsAny<CryptographicException>(() => ReferencePhone.OpenFcm(data, phone.Key, "pixel-2"));
        var replayed = new Dictionary<string, string>(data) { ["trackingId"] = "track-2" };
        Assert.ThrowsAny<CryptographicException>(() => ReferencePhone.OpenFcm(replayed, phone.Key, phone.Device.DeviceId));
        var retyped = new Dictionary<string, string>(data) { ["type"] = "push.call.ended" };
        Assert.ThrowsAny<CryptographicException>(() => ReferencePhone.OpenFcm(retyped, phone.Key, phone.Device.DeviceId));
    }

    [Fact]
    public void Every_flipped_ciphertext_bit_is_detected()
    {
        var phone = TestDevices.Android(_protector);
        using var cipher = new AesGcmPayloadCipher(_protector);
        var envelope = cipher.Seal(phone.Device, Type, "track-1", Plaintext);

        for (var bit = 0; bit < envelope.Ciphertext.Length * 8; bit += 7)
        {
            var tampered = (byte[])envelope.Ciphertext.Clone();
            tampered[bit / 8] ^= (byte)(1 << (bit % 8));
            var data = (envelope with { Ciphertext = tampered }).ToFcmData();
            Assert.ThrowsAny<CryptographicException>(() => ReferencePhone.OpenFcm(data, phone.Key, phone.Device.DeviceId));
        }
    }

    [Fact]
    public void Each_push_gets_a_fresh_nonce()
    {
        var phone = TestDevices.Android(_protector);
        using var cipher = new AesGcmPayloadCipher(_protector);

        var nonces = Enumerable.Range(0, 50)
            .Select(_ => Convert.ToHexString(cipher.Seal(phone.Device, Type, "track-1", Plaintext).Nonce))
            .ToHashSet();

        Assert.Equal(50, nonces.Count);
    }

    [Fact]
    public void A_device_key_is_unwrapped_once_and_again_after_re_registration()
    {
        var phone = TestDevices.Android(_protector);
        using var cipher = new AesGcmPayloadCipher(_protector);

        for (var i = 0; i < 5; i++) cipher.Seal(phone.Device, Type, $"track-{i}", Plaintext);
        Assert.Equal(1, _protector.UnwrapCount);

        var rekeyed = TestDevices.Rekeyed(_protector, phone, "k2");
        var envelope = cipher.Seal(rekeyed.Device, Type, "track-9", Plaintext);

        Assert.Equal(2, _protector.UnwrapCount);
        Assert.Equal("k2", envelope.KeyId);
        ReferencePhone.OpenFcm(envelope.ToFcmData(), rekeyed.Key, rekeyed.Device.DeviceId);
        Assert.ThrowsAny<CryptographicException>(() => ReferencePhone.OpenFcm(envelope.ToFcmData(), phone.Key, phone.Device.DeviceId));
    }

    [Fact]
    public void The_key_cache_keeps_the_most_recent_keys_up_to_its_capacity_and_evicted_keys_still_work()
    {
        var phones = Enumerable.Range(0, 25).Select(i => TestDevices.Android(_protector, $"pixel-{i}")).ToList();
        using var cipher = new AesGcmPayloadCipher(_protector, cacheCapacity: 10);
        void SealAndOpen(TestDevice phone) =>
            ReferencePhone.OpenFcm(cipher.Seal(phone.Device, Type, "track-1", Plaintext).ToFcmData(), phone.Key, phone.Device.DeviceId);
        var unwrapsBefore = _protector.UnwrapCount;

        phones.ForEach(SealAndOpen);
        Assert.Equal(unwrapsBefore + 25, _protector.UnwrapCount);

        // The ten most recently used keys are the ones cached: sealing for them again unwraps nothing.
        phones.Skip(15).ToList().ForEach(SealAndOpen);
        Assert.Equal(unwrapsBefore + 25, _protector.UnwrapCount);

        // An evicted key is unwrapped once more, and the envelope still opens.
        SealAndOpen(phones[0]);
        Assert.Equal(unwrapsBefore + 26, _protector.UnwrapCount);
    }

    [Fact]
    public async Task Concurrent_pushes_to_shared_and_evicted_keys_all_open()
    {
        var phones = Enumerable.Range(0, 6).Select(i => TestDevices.Android(_protector, $"pixel-{i}")).ToList();
        using var cipher = new AesGcmPayloadCipher(_protector, cacheCapacity: 3);

        var tasks = Enumerable.Range(0, 4).Select(worker => Task.Run(() =>
        {
            for (var i = 0; i < 300; i++)
            {
                var phone = phones[(i * 7 + worker) % phones.Count];
                var plaintext = Encoding.UTF8.GetBytes($"{{\"n\":{i}}}");
                var envelope = cipher.Seal(phone.Device, Type, $"t-{worker}-{i}", plaintext);
                var opened = ReferencePhone.OpenFcm(envelope.ToFcmData(), phone.Key, phone.Device.DeviceId);
                Assert.Equal($"{{\"n\":{i}}}", opened.PlaintextJson);
            }
        }));

        await Task.WhenAll(tasks);
    }

    [Fact]
    public void A_tampered_wrapped_key_fails_the_seal()
    {
        var phone = TestDevices.Android(_protector);
        var wrapped = (byte[])phone.Device.WrappedKey.Wrapped.Clone();
        wrapped[^1] ^= 1;
        var broken = phone.Device with { WrappedKey = phone.Device.WrappedKey with { Wrapped = wrapped } };
        using var cipher = new AesGcmPayloadCipher(_protector);

        Assert.ThrowsAny<CryptographicException>(() => cipher.Seal(broken, Type, "track-1", Plaintext));
    }
}
