using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json.Nodes;
using Push.Infra.Tests.Infrastructure;
using Push.Testing;

namespace Push.Infra.Tests;

/// <summary>
/// scripts/package, the one documented command that makes the deployment package, run on the app this test run built:
/// the zip holds what Flex Consumption starts from at its root, the same functions the build indexed, and nothing local.
/// </summary>
public sealed class PackageTests(PackageTests.Package package) : IClassFixture<PackageTests.Package>
{
    /// <summary>What the host needs at the package root to index and start the isolated worker.</summary>
    private static readonly string[] AtTheRoot = ["host.json", "functions.metadata", "worker.config.json", "extensions.json", "Push.Functions.dll"];

    [Fact]
    public void The_package_has_the_function_app_at_its_root()
    {
        var entries = package.Entries;
        Assert.All(AtTheRoot, file => Assert.Contains(file, entries));
        // The host-side extensions (the Storage Queues trigger) the Sdk restored; extensions.json points into it.
        Assert.Contains(entries, e => e.StartsWith(".azurefunctions/", StringComparison.Ordinal) && e.EndsWith(".dll", StringComparison.Ordinal));
        var hintPaths = JsonNode.Parse(package.Read("extensions.json"))!["extensions"]!.AsArray()
            .Select(e => e!["hintPath"]!.GetValue<string>()).Select(hint => hint.StartsWith("./", StringComparison.Ordinal) ? hint[2..] : hint);
        Assert.All(hintPaths, path => Assert.Contains(path, entries));
        // No folder wraps it: a zip of the publish folder itself would put everything one level down.
        Assert.DoesNotContain(entries, e => e.EndsWith("/host.json", StringComparison.Ordinal));
    }

    [Fact]
    public void The_package_indexes_the_functions_the_build_produced_with_the_repository_host_json()
    {
        var functions = JsonNode.Parse(package.Read("functions.metadata"))!.AsArray().Select(f => f!["name"]!.GetValue<string>());
        Assert.Equal(BuiltApp.Functions.Select(f => f.Name).Order(), functions.Order());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(File.ReadAllText(RepositoryPaths.Combine("host.json"))), JsonNode.Parse(package.Read("host.json"))),
            "the package's host.json differs from the repository's");
        Assert.Equal("dotnet-isolated", JsonNode.Parse(package.Read("worker.config.json"))!["description"]!["language"]!.GetValue<string>());
    }

    [Fact]
    public void The_package_carries_no_local_settings_and_keeps_its_symbols()
    {
        Assert.DoesNotContain(package.Entries, e => Path.GetFileName(e).Equals("local.settings.json", StringComparison.OrdinalIgnoreCase));
        // Kept on purpose: stack traces in Application Insights get file and line; a .pdb holds no secret.
        Assert.Contains("Push.Functions.pdb", package.Entries);
    }

    /// <summary>Runs scripts/package --no-build once for the class, into a temporary folder removed afterwards.</summary>
    public sealed class Package : IAsyncLifetime
    {
        private string? _output;
        private ZipArchive? _zip;

        public IReadOnlyList<string> Entries { get; private set; } = [];

        public string Read(string entry)
        {
            using var reader = new StreamReader(_zip!.GetEntry(entry)!.Open());
            return reader.ReadToEnd();
        }

        public async Task InitializeAsync()
        {
            _output = Directory.CreateTempSubdirectory("push-package-").FullName;
            var info = new ProcessStartInfo("bash") { WorkingDirectory = RepositoryPaths.Root };
            foreach (var argument in new[] { RepositoryPaths.Combine("scripts", "package"), "--no-build", "--configuration", BuiltApp.Configuration, "--output", _output })
            {
                info.ArgumentList.Add(argument);
            }
            var (exitCode, stdout, stderr) = await BicepCli.RunToExitAsync(info, TimeSpan.FromMinutes(5));
            Assert.True(exitCode == 0, $"scripts/package failed (exit {exitCode}):\n{stderr}\n{stdout}");
            var zipPath = stdout.Trim().Split('\n')[^1];
            Assert.Equal(Path.Combine(_output, "push-relay.zip"), zipPath);
            _zip = ZipFile.OpenRead(zipPath);
            Entries = _zip.Entries.Where(e => !e.FullName.EndsWith('/')).Select(e => e.FullName).ToList();
        }

        public Task DisposeAsync()
        {
            _zip?.Dispose();
            if (_output is not null) Directory.Delete(_output, recursive: true);
            return Task.CompletedTask;
        }
    }
}
