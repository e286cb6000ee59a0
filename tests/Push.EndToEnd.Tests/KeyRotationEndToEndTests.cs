using System.Security.Cryptography;
using Push.Core.Events;
using Push.Core.Ledger;
using Push.EndToEnd.Tests.Infrastructure;
using Push.Testing;
using Push.Testing.Phones;

namespace Push.EndToEnd.Tests;

/// <summary>
/// An operator's key-encryption-key rotation, as infra/README.md describes it, through the real worker: deploy the new KEK
/// with the old one as previous, let the RewrapDeviceKeys timer move every device key and say the old one is unused,
/// then remove the old KEK. The devices registered before the rotation still receive pushes they can open.
/// </summary>
public sealed class KeyRotationEndToEndTests : IAsyncLifetime
{
    private readonly Environment _env = new();

    public Task InitializeAsync() => _env.InitializeAsync();

    public Task DisposeAsync() => _env.DisposeAsync();

    public enum KekPhase
    {
        /// <summary>The first KEK only (the base environment's, id "e2e").</summary>
        Before,

        /// <summary>A new current KEK, the first one as previous, and the re-wrap timer every 2 seconds.</summary>
        Rotated,

        /// <summary>The new KEK only: the first one retired.</summary>
        Retired,
    }

    public sealed class Environment : RelayEnvironment
    {
        private readonly string _newKek = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

        public KekPhase Phase { get; set; } = KekPhase.Before;

        public override Dictionary<string, string?> Settings()
        {
            var settings = base.Settings();
            if (Phase == KekPhase.Before) return settings;
            settings["Registry__PreviousKeyEncryptionKeys__e2e"] = Phase == KekPhase.Rotated ? settings["Registry__KeyEncryptionKey"] : null;
            settings["Registry__KeyEncryptionKey"] = _newKek;
            settings["Registry__KeyEncryptionKeyId"] = "e2e2";
            if (Phase == KekPhase.Rotated) settings["Timers__RewrapDeviceKeys"] = "*/2 * * * * *";
            return settings;
        }
    }

    [Fact]
    public async Task After_a_rotation_the_timer_moves_every_device_key_and_with_the_old_kek_retired_both_phones_still_open_their_pushes()
    {
        var user = TestDevice.NewUser();
        var iphone = await _env.RegisterAsync(TestDevice.IPhone(user));
        var android = await _env.RegisterAsync(TestDevice.Android(user));

        _env.Phase = KekPhase.Rotated;
        await _env.RestartRelayAsync(kill: false);
        await Eventually.TrueAsync(() => _env.Relay!.Output.Contains("No device key is wrapped with the earlier key-encryption key(s) e2e any more", StringComparison.Ordinal),
            "the re-wrap timer to report the earlier KEK unused", TimeSpan.FromSeconds(60));
        Assert.Contains("Re-wrapped 2 device key(s) with key-encryption key 'e2e2'", _env.Relay!.Output, StringComparison.Ordinal);

        _env.Phase = KekPhase.Retired;
        await _env.RestartRelayAsync(kill: false);
        var im = await _env.PublishAsync(new PushEventWriter("/e2e").Create(user, new ImMessageData("c", "m", new ImSender(null, "a@b.c"), "hi", 1)));

        var outcomes = await _env.WaitForOutcomesAsync(im.TrackingId, 2, TimeSpan.FromSeconds(45));
        Assert.All(outcomes.Values, o => Assert.Equal(DeliveryStatus.Delivered, o.Status));
        var alert = await _env.Sandbox.WaitForApnsPushAsync(p => p.DeviceToken == iphone.PushToken, TimeSpan.FromSeconds(10));
        Assert.Equal(im.TrackingId, ReferencePhone.OpenApns(alert.Body, iphone.Key, iphone.DeviceId).TrackingId);
        var fcm = await _env.Sandbox.WaitForFcmMessageAsync(m => m.Token == android.PushToken, TimeSpan.FromSeconds(10));
        Assert.Equal(im.TrackingId, ReferencePhone.OpenFcm(fcm.Data, android.Key, android.DeviceId).TrackingId);
    }
}
