using System.Globalization;
using Push.Core.Events;
using Push.Core.Routing;
using Push.Core.Tests.Protection;
using Push.Providers.Apns;
using Push.Providers.Fcm;
using Push.Testing.Phones;

namespace Push.Core.Tests.Routing;

public sealed class PayloadSizeTests : IDisposable
{
    // Latin, combining accents, a ZWJ family emoji and a flag: every cut must fall between whole graphemes.
    private const string Chunk = "Meet at the café? e\u0301 👨‍👩‍👧‍👦 🇫🇷 ok. ";
    private readonly ComposerFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    public static TheoryData<bool, int> Platforms() => new() { { true, 4096 }, { false, FcmMessage.MaxDataBytes } };

    [Theory]
    [MemberData(nameof(Platforms))]
    public void A_long_preview_is_cut_on_a_grapheme_boundary_to_just_fit(bool ios, int limit)
    {
        var phone = ios ? TestDevices.Ios(_fixture.Protector) : TestDevices.Android(_fixture.Protector);
        var preview = string.Concat(Enumerable.Repeat(Chunk, 200));

        var push = _fixture.Composer.Compose(ComposerFixture.Message(preview), phone.Device, Guid.NewGuid());

        var (size, opened) = Open(push, phone);
        // The largest grapheme here (the family emoji) is 25 UTF-8 bytes, 34 base64url characters.
        Assert.InRange(size, limit - 40, limit);
        var plaintext = opened.Plaintext;
        Assert.True(plaintext.GetProperty("truncated").GetBoolean());
        var shortened = plaintext.GetProperty("preview").GetString()!;
        Assert.StartsWith(shortened, preview, StringComparison.Ordinal);
        Assert.Contains(shortened.Length, StringInfo.ParseCombiningCharacters(preview));
        Assert.True(shortened.Length > 1000);
    }

    [Theory]
    [MemberData(nameof(Platforms))]
    public void A_preview_that_fits_is_kept_whole(bool ios, int limit)
    {
        var phone = ios ? TestDevices.Ios(_fixture.Protector) : TestDevices.Android(_fixture.Protector);
        var preview = string.Concat(Enumerable.Repeat(Chunk, 20));

        var (size, opened) = Open(_fixture.Composer.Compose(ComposerFixture.Message(preview), phone.Device, Guid.NewGuid()), phone);

        Assert.True(size < limit);
        Assert.Equal(preview, opened.Plaintext.GetProperty("preview").GetString());
        Assert.False(opened.Plaintext.GetProperty("truncated").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(Platforms))]
    public void A_message_that_cannot_fit_even_without_preview_is_too_large(bool ios, int _)
    {
        var phone = ios ? TestDevices.Ios(_fixture.Protector) : TestDevices.Android(_fixture.Protector);
        var evt = ComposerFixture.Event(new ImMessageData("conv", "msg", new ImSender(new string('N', 3200), "bob@example.com"), "hi", 1));

        Assert.Equal(new ComposedPush.NotSendable(UnsendableReason.PayloadTooLarge), _fixture.Composer.Compose(evt, phone.Device, Guid.NewGuid()));
    }

    [Fact]
    public void A_call_too_big_for_an_alert_still_fits_the_larger_voip_limit()
    {
        // Larger than any valid event carries; built directly to reach the gap between 4096 and 5120 bytes.
        var call = ComposerFixture.Call(callerName: new string('N', 3300));
        var voipPhone = TestDevices.Ios(_fixture.Protector);
        var chinaPhone = TestDevices.Ios(_fixture.Protector, region: "CN");

        var voip = Assert.IsType<ComposedPush.Apns>(_fixture.Composer.Compose(call, voipPhone.Device, Guid.NewGuid()));

        Assert.Equal(ApnsPushType.Voip, voip.Notification.PushType);
        Assert.InRange(voip.Notification.Payload.Length, 4097, 5120);
        Assert.Equal(new ComposedPush.NotSendable(UnsendableReason.PayloadTooLarge), _fixture.Composer.Compose(call, chinaPhone.Device, Guid.NewGuid()));
        Assert.Equal(new ComposedPush.NotSendable(UnsendableReason.PayloadTooLarge),
            _fixture.Composer.Compose(ComposerFixture.Call(callerName: new string('N', 4200)), voipPhone.Device, Guid.NewGuid()));
    }

    [Fact]
    public void Every_preview_length_up_to_the_limit_lands_within_it()
    {
        var phone = TestDevices.Android(_fixture.Protector);
        for (var length = 2200; length < 3300; length += 37)
        {
            var preview = new string('x', length);
            var push = Assert.IsType<ComposedPush.Fcm>(_fixture.Composer.Compose(ComposerFixture.Message(preview), phone.Device, Guid.NewGuid()));
            Assert.InRange(FcmMessage.DataSize(push.Message.Data), 1, FcmMessage.MaxDataBytes);
        }
    }

    private static (int Size, ReferencePhone.OpenedPush Opened) Open(ComposedPush push, TestDevice phone) => push switch
    {
        ComposedPush.Apns apns => (apns.Notification.Payload.Length, ReferencePhone.OpenApns(apns.Notification.Payload.Span, phone.Key, phone.Device.DeviceId)),
        ComposedPush.Fcm fcm => (FcmMessage.DataSize(fcm.Message.Data), ReferencePhone.OpenFcm(fcm.Message.Data, phone.Key, phone.Device.DeviceId)),
        _ => throw new Xunit.Sdk.XunitException($"expected a push, got {push}"),
    };
}
