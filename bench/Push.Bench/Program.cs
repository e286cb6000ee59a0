using Push.Bench;

// Push.Bench sandbox <state-dir>                : the sandbox host the harness starts as a child process.
// Push.Bench run --out FILE [--micro DIR] [...]  : every provider comparison, a table, and the JSON.
if (args.Length >= 2 && args[0] == "sandbox")
{
    return await SandboxHost.RunAsync(args[1]);
}
if (args.Length >= 3 && args[0] == "relay")
{
    // Push.Bench relay <aesgcm|passthrough> <content-root> : the relay host with the benchmark's cipher choice.
    return await RelayHost.RunAsync(args[1], args[2]);
}
if (args.Length >= 1 && args[0] == "run")
{
    var settings = HarnessSettings.Parse(args.AsSpan(1));
    return await Harness.RunAsync(settings);
}
Console.Error.WriteLine("usage: Push.Bench run --out FILE [--micro ARTIFACTS_DIR] [--requests N] [--streams M] [--connections C] [--rounds R] [--repo DIR] [--pipeline-events N] [--flood-events N] [--calls N] [--only providers|pipeline]");
return 2;
