using System.Globalization;
using Push.Bench;

// Push.Bench sandbox <state-dir>                : the sandbox host the harness starts as a child process.
// Push.Bench bare <connection> <queue> <n>      : the bare receive-32 + delete loop, in a process of its own (its CPU is its own).
// Push.Bench run --out FILE [--micro DIR] [...]  : every comparison, a table, and the JSON.
if (args.Length >= 2 && args[0] == "sandbox")
{
    return await SandboxHost.RunAsync(args[1]);
}
if (args.Length >= 4 && args[0] == "bare")
{
    return await StoragePhases.BareLoopMainAsync(args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture));
}
if (args.Length >= 1 && args[0] == "run")
{
    var settings = HarnessSettings.Parse(args.AsSpan(1));
    return await Harness.RunAsync(settings);
}
Console.Error.WriteLine("usage: Push.Bench run --out FILE [--micro ARTIFACTS_DIR] [--requests N] [--streams M] [--connections C] [--rounds R] [--repo DIR] [--pipeline-events N] [--count-events N] [--flood-events N] [--flood-drain-seconds S] [--crypto-rounds R] [--calls N] [--only providers|pipeline]");
return 2;
