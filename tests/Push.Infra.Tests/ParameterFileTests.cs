using Push.Infra.Tests.Infrastructure;

namespace Push.Infra.Tests;

/// <summary>A parameter file that lacks a value, or holds a wrong one, fails to compile with a message that says which.</summary>
public sealed class ParameterFileTests(ParameterFileTests.Runs runs) : IClassFixture<ParameterFileTests.Runs>
{
    [Theory]
    [InlineData("apnsTeamId")]
    [InlineData("apnsKeyId")]
    [InlineData("fcmProjectId")]
    [InlineData("registryKeyEncryptionKeyId")]
    [InlineData("environmentName")]
    public void A_parameter_file_missing_a_required_value_fails_naming_it(string parameter)
    {
        var result = runs.Missing[parameter];
        Assert.NotEqual(0, result.ExitCode);
        var error = Assert.Single(result.Errors, e => e.Code == "BCP258");
        Assert.Contains($"\"{parameter}\"", error.Message, StringComparison.Ordinal);
        // Only the one left out is reported: the others were given.
        foreach (var other in Runs.Required.Keys.Where(k => k != parameter))
        {
            Assert.DoesNotContain($"\"{other}\"", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_complete_parameter_file_compiles()
    {
        Assert.True(runs.Complete.ExitCode == 0, runs.Complete.ToString());
        Assert.Empty(runs.Complete.Errors);
    }

    [Fact]
    public void The_shipped_parameter_file_names_each_deployment_variable_that_is_not_set()
    {
        var result = runs.ShippedWithoutVariables;
        Assert.NotEqual(0, result.ExitCode);
        var named = result.Errors.Where(e => e.Code == "BCP427").Select(e => e.Message).ToList();
        foreach (var variable in new[] { "APNS_TEAM_ID", "APNS_KEY_ID" })
        {
            Assert.Contains(named, m => m.Contains($"\"{variable}\"", StringComparison.Ordinal));
        }
        // The optional ones have defaults and must not be demanded.
        Assert.DoesNotContain(named, m => m.Contains("PUSH_ACTION_GROUP_ID", StringComparison.Ordinal) || m.Contains("PUSH_OPERATOR_OBJECT_ID", StringComparison.Ordinal));
    }

    [Fact]
    public void An_apns_team_id_of_the_wrong_length_is_refused_on_its_own_line()
    {
        var result = runs.ShortTeamId;
        Assert.NotEqual(0, result.ExitCode);
        var error = Assert.Single(result.Errors);
        Assert.Equal("BCP333", error.Code);
        Assert.Equal(runs.ShortTeamIdLine, error.Line);
    }

    [Fact]
    public void A_transport_that_does_not_exist_is_refused()
    {
        var result = runs.Invalid["transport"];
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(result.Errors, e => e.Message.Contains("serviceBus", StringComparison.Ordinal) && e.Message.Contains("storageQueues", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("instanceMemoryMB", "BCP033")]      // not one of Flex Consumption's 512 / 2048 / 4096
    [InlineData("maximumInstanceCount", "BCP328")]  // below Flex Consumption's lowest ceiling of 40
    [InlineData("callsAlwaysReady", "BCP328")]      // zero warm instances for a ringing phone
    public void A_scale_setting_the_plan_does_not_offer_is_refused(string parameter, string code)
    {
        var result = runs.Invalid[parameter];
        Assert.NotEqual(0, result.ExitCode);
        var error = Assert.Single(result.Errors);
        Assert.Equal(code, error.Code);
    }

    public sealed class Runs : IAsyncLifetime
    {
        public static readonly IReadOnlyDictionary<string, string> Required = new Dictionary<string, string>
        {
            ["environmentName"] = "'dev'",
            ["apnsTeamId"] = "'TEAM123456'",
            ["apnsKeyId"] = "'KEY1234567'",
            ["fcmProjectId"] = "'push-relay-test'",
            ["registryKeyEncryptionKeyId"] = "'kek1'",
        };

        private string? _tempDirectory;

        public System.Collections.Concurrent.ConcurrentDictionary<string, BicepResult> Missing { get; } = new();

        public BicepResult Complete { get; private set; } = null!;

        public BicepResult ShippedWithoutVariables { get; private set; } = null!;

        public BicepResult ShortTeamId { get; private set; } = null!;

        public int ShortTeamIdLine { get; private set; }

        /// <summary>A complete file plus one out-of-range value, by parameter.</summary>
        public static readonly IReadOnlyDictionary<string, string> InvalidValues = new Dictionary<string, string>
        {
            ["transport"] = "'kafka'",
            ["instanceMemoryMB"] = "1024",
            ["maximumInstanceCount"] = "10",
            ["callsAlwaysReady"] = "0",
        };

        public System.Collections.Concurrent.ConcurrentDictionary<string, BicepResult> Invalid { get; } = new();

        public async Task InitializeAsync()
        {
            _tempDirectory = Directory.CreateTempSubdirectory("push-infra-params-").FullName;
            // bicepparam only takes a relative `using` path: point from the temp folder back to infra/main.bicep.
            var relative = Path.GetRelativePath(_tempDirectory, CompiledInfrastructure.MainBicep).Replace('\\', '/');
            var usingLine = $"using '{relative}'";

            string Write(string name, IEnumerable<string> lines)
            {
                var path = Path.Combine(_tempDirectory, name + ".bicepparam");
                File.WriteAllLines(path, [usingLine, "", .. lines]);
                return path;
            }

            var runs = new List<Task>();
            foreach (var left in Required.Keys)
            {
                var path = Write("missing-" + left, Required.Where(p => p.Key != left).Select(p => $"param {p.Key} = {p.Value}"));
                runs.Add(Run(path, r => Missing[left] = r));
            }
            runs.Add(Run(Write("complete", Required.Select(p => $"param {p.Key} = {p.Value}")), r => Complete = r));

            var shortTeam = Required.Select(p => p.Key == "apnsTeamId" ? "param apnsTeamId = 'ABC'" : $"param {p.Key} = {p.Value}").ToList();
            ShortTeamIdLine = shortTeam.FindIndex(l => l.StartsWith("param apnsTeamId", StringComparison.Ordinal)) + 3;
            runs.Add(Run(Write("short-team", shortTeam), r => ShortTeamId = r));

            foreach (var (parameter, value) in InvalidValues)
            {
                var lines = Required.Select(p => $"param {p.Key} = {p.Value}").Append($"param {parameter} = {value}");
                runs.Add(Run(Write("invalid-" + parameter, lines), r => Invalid[parameter] = r));
            }

            runs.Add(BicepCli.RunAsync(["build-params", CompiledInfrastructure.ParameterFile("dev"), "--stdout"])
                .ContinueWith(t => ShippedWithoutVariables = t.Result, TaskScheduler.Default));
            await Task.WhenAll(runs);
        }

        private static async Task Run(string path, Action<BicepResult> store) =>
            store(await BicepCli.RunAsync(["build-params", path, "--stdout"]));

        public Task DisposeAsync()
        {
            if (_tempDirectory is not null)
            {
                Directory.Delete(_tempDirectory, recursive: true);
            }
            return Task.CompletedTask;
        }
    }
}
