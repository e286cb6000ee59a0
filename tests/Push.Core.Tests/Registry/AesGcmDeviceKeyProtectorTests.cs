using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Push.Core.Registry;
using static Push.Core.Tests.Registry.RegistryTestSupport;

namespace Push.Core.Tests.Registry;

public sealed class AesGcmDeviceKeyProtectorTests
{
    [Fact]
    public void Wrap_then_unwrap_returns_the_key_and_the_blob_does_not_contain_it()
    {
        using var protector = NewProtector("kek_a");
        var key = RandomNumberGenerator.GetBytes(32);

        var wrapped = protector.Wrap("device-key-1", key);

        Assert.Equal("device-key-1", wrapped.KeyId);
        Assert.Equal("kek_a", wrapped.KekId);
        Assert.Equal(AesGcmDeviceKeyProtector.WrappedSize, wrapped.Wrapped.Length);
        Assert.Equal(-1, wrapped.Wrapped.AsSpan().IndexOf(key));
        var unwrapped = new byte[32];
        protector.Unwrap(wrapped, unwrapped);
        Assert.Equal(key, unwrapped);
    }

    [Fact]
    public void Wrapping_twice_uses_a_fresh_nonce()
    {
        using var protector = NewProtector();
        var key = RandomNumberGenerator.GetBytes(32);

        var first = protector.Wrap("k", key);
        var second = protector.Wrap("k", key);

        Assert.NotEqual(first.Wrapped, second.Wrapped);
    }

    [Theory]
    [InlineData(0)]    // nonce
    [InlineData(20)]   // ciphertext
    [InlineData(59)]   // tag
    public void A_tampered_wrapped_key_fails(int index)
    {
        using var protector = NewProtector();
        var wrapped = protector.Wrap("k", RandomNumberGenerator.GetBytes(32));
        var tampered = (byte[])wrapped.Wrapped.Clone();
        tampered[index] ^= 0x01;

        Assert.ThrowsAny<CryptographicException>(() => protector.Unwrap(wrapped with { Wrapped = tampered }, new byte[32]));
    }

    [Fact]
    public void A_wrapped_key_moved_to_another_key_id_fails()
    {
        using var protector = NewProtector();
        var wrapped = protector.Wrap("key-of-device-a", RandomNumberGenerator.GetBytes(32));

        Assert.ThrowsAny<CryptographicException>(() => protector.Unwrap(wrapped with { KeyId = "key-of-device-b" }, new byte[32]));
    }

    [Fact]
    public void The_wrong_kek_fails_even_with_the_same_kek_id()
    {
        using var one = NewProtector("kek1");
        using var other = NewProtector("kek1");
        var wrapped = one.Wrap("k", RandomNumberGenerator.GetBytes(32));

        Assert.ThrowsAny<CryptographicException>(() => other.Unwrap(wrapped, new byte[32]));
    }

    [Fact]
    public void An_unknown_kek_id_fails_and_names_the_id()
    {
        using var one = NewProtector("kek_old");
        using var other = NewProtector("kek_new");
        var wrapped = one.Wrap("k", RandomNumberGenerator.GetBytes(32));

        var error = Assert.ThrowsAny<CryptographicException>(() => other.Unwrap(wrapped, new byte[32]));
        Assert.Contains("kek_old", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void After_rotation_keys_wrapped_with_the_previous_kek_still_unwrap()
    {
        var oldKek = RandomNumberGenerator.GetBytes(32);
        using var before = new AesGcmDeviceKeyProtector(Options.Create(KekOptions("kek1", oldKek)));
        var key = RandomNumberGenerator.GetBytes(32);
        var wrapped = before.Wrap("k", key);

        var kek2 = RandomNumberGenerator.GetBytes(32);
        var rotated = KekOptions("kek2", kek2);
        rotated.PreviousKeyEncryptionKeys["kek1"] = Convert.ToBase64String(oldKek);
        using var after = new AesGcmDeviceKeyProtector(Options.Create(rotated));

        var unwrapped = new byte[32];
        after.Unwrap(wrapped, unwrapped);
        Assert.Equal(key, unwrapped);
        Assert.Equal("kek2", after.Wrap("k", key).KekId);

        // Re-wrapping moves the same key to the current KEK, under a fresh nonce and without the earlier KEK.
        var rewrapped = after.Rewrap(wrapped);
        Assert.Equal(("k", "kek2"), (rewrapped.KeyId, rewrapped.KekId));
        Assert.NotEqual(wrapped.Wrapped, rewrapped.Wrapped);
        Array.Clear(unwrapped);
        using var currentOnly = new AesGcmDeviceKeyProtector(Options.Create(KekOptions("kek2", kek2)));
        currentOnly.Unwrap(rewrapped, unwrapped);
        Assert.Equal(key, unwrapped);
        Assert.False(currentOnly.CanUnwrap("kek1"));
        Assert.Equal(["kek1"], after.PreviousKekIds);
    }

    [Fact]
    public void A_key_of_the_wrong_length_is_refused()
    {
        using var protector = NewProtector();

        Assert.Throws<ArgumentException>(() => protector.Wrap("k", new byte[16]));
    }
}
