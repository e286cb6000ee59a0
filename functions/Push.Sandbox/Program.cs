using Push.Sandbox;

// Hidden helper for the TLS-trust test: fetch a URL with the platform's default trust, exit 0 on success.
if (args.Length == 2 && args[0] == "probe") return await Probe.RunAsync(new Uri(args[1]));

var options = new SandboxOptions { ApnsPort = 4443, FcmPort = 4444, GenerateCredentials = true };
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--state-dir": options.StateDirectory = Next(); break;
        case "--apns-port": options.ApnsPort = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
        case "--fcm-port": options.FcmPort = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
        case "--no-generate-credentials": options.GenerateCredentials = false; break;
        case "--generate-credentials": options.GenerateCredentials = true; break;
        default:
            Console.Error.WriteLine($"unknown argument {args[i]}. Usage: [--state-dir DIR] [--apns-port N] [--fcm-port N] [--no-generate-credentials]");
            return 2;
    }
}

using var shutdown = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; shutdown.Cancel(); };
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
    System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; shutdown.Cancel(); });

await using var sandbox = await SandboxServer.StartAsync(options);
Console.WriteLine($"APNs:    {sandbox.ApnsEndpoint}");
Console.WriteLine($"FCM:     {sandbox.FcmEndpoint}");
Console.WriteLine($"OAuth:   {sandbox.OAuthTokenEndpoint}");
Console.WriteLine($"Control: {sandbox.ControlEndpoint}");
Console.WriteLine($"CA:      {sandbox.CaCertificatePath}");
Console.WriteLine($"Trust:   {sandbox.TrustBundlePath}");
Console.WriteLine($"Config:  {Path.Combine(Path.GetFullPath(options.StateDirectory), "sandbox.json")}");
Console.WriteLine("Sandbox ready");
try
{
    await Task.Delay(Timeout.Infinite, shutdown.Token);
}
catch (OperationCanceledException)
{
    // Ctrl-C or SIGTERM: dispose stops Kestrel cleanly.
}
return 0;
