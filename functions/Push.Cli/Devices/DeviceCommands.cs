using System.CommandLine;
using System.Security.Cryptography;
using Push.Core.Delivery;
using Push.Core.Events;
using Push.Core.Registry;
using Push.Cli.Publish;

namespace Push.Cli.Devices;

/// <summary>
/// <c>push device register|unregister|list</c>. Register and unregister write the registry directly
/// (an operator's repair tool), or, with <c>--via-queue</c>, publish the device event a client backend
/// would. <c>list</c> never shows keys, and tokens only as short hashes.
/// </summary>
public static class DeviceCommands
{
    private static readonly Option<string> User = new("--user") { Description = "The user id.", Required = true };
    private static readonly Option<string> Device = new("--device") { Description = "The device id.", Required = true };
    private static readonly Option<bool> ViaQueue = new("--via-queue") { Description = "Publish a device event onto the devices queue instead of writing the registry directly." };

    public static Command Create(CliContext context)
    {
        var device = new Command("device", "Register, unregister and list a user's devices.");
        device.Add(Register(context));
        device.Add(Unregister(context));
        device.Add(List(context));
        return device;
    }

    private static Command Register(CliContext context)
    {
        var platform = new Option<string>("--platform") { Description = "ios or android.", Required = true };
        platform.AcceptOnlyFromAmong("ios", "android");
        var app = new Option<string>("--app") { Description = "iOS bundle id or Android package.", Required = true };
        var token = new Option<string>("--token") { Description = "The APNs device token (64 hex) or FCM registration token.", Required = true };
        var voipToken = new Option<string?>("--voip-token") { Description = "iOS: the PushKit (VoIP) token, 64 hex." };
        var environment = new Option<string>("--environment") { Description = "production or sandbox (APNs development).", DefaultValueFactory = _ => "production" };
        environment.AcceptOnlyFromAmong("production", "sandbox");
        var region = new Option<string?>("--region") { Description = "ISO country code; CN turns iOS calls into alerts (no CallKit)." };
        var keyId = new Option<string?>("--key-id") { Description = "The id of the device's payload key (default: a new one)." };
        var keyFile = new Option<FileInfo?>("--key-file") { Description = "A file holding the device's 32-byte key in base64. Without it a new key is generated and written to .local/device-keys/<device>.key." };
        var source = new Option<string>("--source") { Description = "The CloudEvents source with --via-queue.", DefaultValueFactory = _ => "/push-cli" };

        var command = new Command("register", "Register (or re-register) a device with its tokens and payload key.")
        {
            User, Device, platform, app, token, voipToken, environment, region, keyId, keyFile, ViaQueue, source,
        };
        command.SetAction(async (result, ct) =>
        {
            var deviceId = result.GetRequiredValue(Device);
            var keyPath = result.GetValue(keyFile);
            // A new key stays in memory until the registration is accepted: a refused one leaves no file behind.
            var key = keyPath is not null ? ReadKey(keyPath) : RandomNumberGenerator.GetBytes(DeviceEncryptionKey.KeyBytes);
            var data = new DeviceRegisteredData(
                deviceId,
                result.GetRequiredValue(platform) == "ios" ? DevicePlatform.Ios : DevicePlatform.Android,
                result.GetRequiredValue(app),
                result.GetRequiredValue(token),
                result.GetValue(voipToken),
                result.GetRequiredValue(environment) == "sandbox" ? PushEnvironment.Sandbox : PushEnvironment.Production,
                result.GetValue(region),
                new DeviceEncryptionKey(result.GetValue(keyId) ?? "k-" + Guid.NewGuid().ToString("N")[..8], key));
            var user = result.GetRequiredValue(User);

            // Validate exactly as the relay would (the event contract, then the registry's own rules), so the
            // CLI cannot store or publish what the relay would refuse.
            var evt = new PushEventWriter(result.GetRequiredValue(source)).Create(user, data);
            var body = PublishCommands.Serialize(evt);
            var registration = DeviceEventHandler.ToRegistration(evt, data);
            try
            {
                TableDeviceRegistry.Validate(registration);
            }
            catch (ArgumentException ex)
            {
                throw CliException.From(ex);
            }

            if (result.GetValue(ViaQueue))
            {
                await PublishCommands.PublishAsync(context, EventRoute.Devices, evt, body, ct);
            }
            else
            {
                var outcome = await context.Registry.RegisterAsync(registration, ct);
                Console.WriteLine($"{deviceId}: {outcome} (key id {data.EncryptionKey.Id})");
            }
            if (keyPath is null)
            {
                SaveKey(deviceId, key);
            }
            return 0;
        });
        return command;
    }

    private static Command Unregister(CliContext context)
    {
        var source = new Option<string>("--source") { Description = "The CloudEvents source with --via-queue.", DefaultValueFactory = _ => "/push-cli" };
        var command = new Command("unregister", "Forget a device.") { User, Device, ViaQueue, source };
        command.SetAction(async (result, ct) =>
        {
            var user = result.GetRequiredValue(User);
            var deviceId = result.GetRequiredValue(Device);
            if (result.GetValue(ViaQueue))
            {
                return await PublishCommands.PublishAsync(context, EventRoute.Devices, user, result.GetRequiredValue(source),
                    new DeviceUnregisteredData(deviceId), ct);
            }
            var removed = await context.Registry.UnregisterAsync(user, deviceId, ct);
            Console.WriteLine(removed ? $"{deviceId}: removed" : $"{deviceId}: was not registered");
            return 0;
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var command = new Command("list", "List a user's devices (no keys; tokens as short hashes).") { User };
        command.SetAction(async (result, ct) =>
        {
            var devices = await context.Registry.ListAsync(result.GetRequiredValue(User), ct);
            if (devices.Count == 0)
            {
                Console.WriteLine("no devices");
                return 0;
            }
            Console.WriteLine($"{"DEVICE",-24} {"PLATFORM",-8} {"APP",-28} {"ENV",-10} {"REGION",-6} {"KEY ID",-12} {"TOKEN#",-8} {"VOIP#",-8} REGISTERED");
            foreach (var d in devices)
            {
                Console.WriteLine($"{d.DeviceId,-24} {d.Platform.ToString().ToLowerInvariant(),-8} {d.AppId,-28} {d.Environment.ToString().ToLowerInvariant(),-10} {d.Region ?? "-",-6} {d.KeyId,-12} {d.PushTokenHash ?? "-",-8} {d.VoipTokenHash ?? "-",-8} {d.RegisteredAt:u}");
            }
            return 0;
        });
        return command;
    }

    private static byte[] ReadKey(FileInfo keyFile)
    {
        if (!keyFile.Exists) throw new CliException($"--key-file: {keyFile.FullName} does not exist.");
        var buffer = new byte[64];
        if (!Convert.TryFromBase64String(File.ReadAllText(keyFile.FullName).Trim(), buffer, out var written) || written != DeviceEncryptionKey.KeyBytes)
        {
            throw new CliException($"--key-file: {keyFile.FullName} must hold base64 of exactly {DeviceEncryptionKey.KeyBytes} bytes.");
        }
        return buffer[..written];
    }

    /// <summary>
    /// Writes a generated key to .local/device-keys/&lt;device&gt;.key, readable by the user only. Called only
    /// with a device id the registry accepted, which cannot hold '/', '\' or control characters, so the
    /// file name cannot leave the folder.
    /// </summary>
    private static void SaveKey(string deviceId, byte[] key)
    {
        const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        var directory = Path.Combine(".local", "device-keys");
        var path = Path.Combine(directory, deviceId + ".key");
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(path, Convert.ToBase64String(key));
        }
        else
        {
            Directory.CreateDirectory(directory, OwnerOnlyFolder);
            File.SetUnixFileMode(directory, OwnerOnlyFolder); // also when an older run made it with the umask's mode
            using (var file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Create,
                Access = FileAccess.Write,
                UnixCreateMode = OwnerOnlyFile,
            }))
            {
                file.Write(System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(key)));
            }
            File.SetUnixFileMode(path, OwnerOnlyFile); // a file kept from an earlier registration keeps its old mode otherwise
        }
        Console.Error.WriteLine($"generated a new payload key for {deviceId}: {path}");
    }
}
