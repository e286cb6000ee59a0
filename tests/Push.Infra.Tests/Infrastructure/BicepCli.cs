using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Push.Infra.Tests.Infrastructure;

/// <summary>
/// Runs the bicep CLI restored from NuGet (Azure.Bicep.CommandLine.linux-x64): the path comes from the
/// package's $(BicepPath), written into this assembly at build time.
/// </summary>
public static class BicepCli
{
    /// <summary>Variables the parameter files read; removed from every run unless a test sets them, so results do not depend on the shell.</summary>
    public static readonly string[] ParameterFileVariables =
        ["APNS_TEAM_ID", "APNS_KEY_ID", "PUSH_OPERATOR_OBJECT_ID", "PUSH_ACTION_GROUP_ID"];

    private static readonly Lazy<string> PathLazy = new(FindBinary);

    // Each run takes a core for ~1.5 s; more at once than cores only makes every run slower.
    private static readonly SemaphoreSlim Slots = new(Math.Max(1, Environment.ProcessorCount));

    public static string BinaryPath => PathLazy.Value;

    public static async Task<BicepResult> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(BinaryPath)
        {
            WorkingDirectory = workingDirectory ?? Push.Testing.RepositoryPaths.Root,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var name in ParameterFileVariables)
        {
            info.Environment.Remove(name);
        }
        // Offline here and in CI: no telemetry, no update checks.
        info.Environment["BICEP_TELEMETRY_ENABLED"] = "false";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        await Slots.WaitAsync();
        try
        {
            return await RunProcessAsync(info);
        }
        finally
        {
            Slots.Release();
        }
    }

    private static async Task<BicepResult> RunProcessAsync(ProcessStartInfo info)
    {
        var (exitCode, stdout, stderr) = await RunToExitAsync(info, TimeSpan.FromMinutes(2));
        return new BicepResult(exitCode, stdout, stderr);
    }

    /// <summary>Runs a tool with redirected output to its end; past <paramref name="limit"/> it is killed with its children.</summary>
    public static async Task<(int ExitCode, string StandardOutput, string StandardError)> RunToExitAsync(ProcessStartInfo info, TimeSpan limit)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        using var process = Process.Start(info) ?? throw new InvalidOperationException(info.FileName + " did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(info.FileName)} {string.Join(' ', info.ArgumentList)} did not finish within {limit.TotalMinutes:0} minutes");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    private static string FindBinary()
    {
        var fromBuild = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "BicepPath")?.Value;
        var path = !string.IsNullOrEmpty(fromBuild)
            ? fromBuild
            : Path.Combine(Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                    ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
                "azure.bicep.commandline.linux-x64", "0.49.2", "tools", "bicep");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"The bicep CLI is missing at {path}: restore tests/Push.Infra.Tests (it references Azure.Bicep.CommandLine.linux-x64).");
        }
        // Some unzip paths drop the execute bit; the package is ours to fix, the binary is unchanged.
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & UnixFileMode.UserExecute) == 0)
            {
                File.SetUnixFileMode(path, mode | UnixFileMode.UserExecute);
            }
        }
        return path;
    }
}

/// <summary>One bicep run: exit code, output, and the diagnostics it printed ("file(line,col) : Level code: message").</summary>
public sealed partial record BicepResult(int ExitCode, string StandardOutput, string StandardError)
{
    public IReadOnlyList<BicepDiagnostic> Diagnostics { get; } = Parse(StandardOutput + "\n" + StandardError);

    public IEnumerable<BicepDiagnostic> Errors => Diagnostics.Where(d => d.Level == "Error");

    public IEnumerable<BicepDiagnostic> Warnings => Diagnostics.Where(d => d.Level == "Warning");

    public override string ToString() => $"exit {ExitCode}\n{StandardError}\n{(StandardOutput.Length > 4000 ? StandardOutput[..4000] + "…" : StandardOutput)}";

    private static List<BicepDiagnostic> Parse(string text) => DiagnosticLine().Matches(text)
        .Select(m => new BicepDiagnostic(m.Groups["file"].Value, int.Parse(m.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture),
            m.Groups["level"].Value, m.Groups["code"].Value, m.Groups["message"].Value.Trim()))
        .ToList();

    [GeneratedRegex(@"^(?<file>.+?)\((?<line>\d+),\d+\) : (?<level>Error|Warning|Info) (?<code>[A-Za-z0-9-]+): (?<message>.*)$", RegexOptions.Multiline)]
    private static partial Regex DiagnosticLine();
}

public sealed record BicepDiagnostic(string File, int Line, string Level, string Code, string Message)
{
    public override string ToString() => $"{Path.GetFileName(File)}({Line}) {Level} {Code}: {Message}";
}
