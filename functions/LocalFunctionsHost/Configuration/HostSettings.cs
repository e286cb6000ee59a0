using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace LocalFunctionsHost.Configuration;

/// <summary>
/// Everything the host reads before it starts the worker: the app folder's host.json, local.settings.json and
/// worker.config.json, the app settings, and this host's own settings (<c>LocalFunctionsHost__…</c>, which are not
/// Functions keys and so never live in host.json). <see cref="Load"/> reports every bad setting at once.
/// </summary>
internal sealed class HostSettings
{
    /// <summary>The section of this host's own settings.</summary>
    public const string OwnSection = "LocalFunctionsHost";

    /// <summary>The own setting (environment only) naming another local.settings.json than the app folder's.</summary>
    public const string LocalSettingsPathSetting = "LocalSettingsPath";

    /// <summary>The storage the Functions host itself uses (timer leases and status) and the default trigger connection.</summary>
    public const string StorageSetting = "AzureWebJobsStorage";

    /// <summary>The Functions host's own setting for its id (which names the timer lease and status blobs).</summary>
    public const string HostIdSetting = "AzureFunctionsWebHost:hostid";

    /// <summary>Without a host.json <c>functionTimeout</c>, a host outside the Consumption plan (Core Tools included) allows 30 minutes.</summary>
    public static readonly TimeSpan DefaultFunctionTimeout = TimeSpan.FromMinutes(30);

    public required string ScriptRoot { get; init; }

    public required AppSettings AppSettings { get; init; }

    public required WorkerConfigFile Worker { get; init; }

    /// <summary>host.json under <c>AzureFunctionsJobHost:…</c>, overridden by <c>AzureFunctionsJobHost__…</c> app settings.</summary>
    public required IConfiguration HostJson { get; init; }

    /// <summary>host.json <c>functionTimeout</c>; null = no limit ("-1").</summary>
    public TimeSpan? FunctionTimeout { get; init; }

    public required QueuesOptions Queues { get; init; }

    /// <summary>
    /// <c>LocalFunctionsHost__QueueVisibilityLease</c>: how long a received message stays invisible while its function
    /// runs (renewed at half of it), default 10 minutes as the Functions queue listener holds it. A host killed
    /// mid-batch gives its messages back after at most this long.
    /// </summary>
    public required TimeSpan QueueVisibilityLease { get; init; }

    /// <summary><c>LocalFunctionsHost__ShutdownGracePeriod</c>: how long running invocations may finish on Ctrl-C / SIGTERM, default 30 s.</summary>
    public required TimeSpan ShutdownGracePeriod { get; init; }

    /// <summary><c>LocalFunctionsHost__WorkerStartTimeout</c>: how long a started worker may take to connect and initialise, default 60 s.</summary>
    public required TimeSpan WorkerStartTimeout { get; init; }

    /// <summary><c>LocalFunctionsHost__TimerLeaseDuration</c>: the blob lease that makes a timer a singleton, 15..60 s, default 15 s.</summary>
    public required TimeSpan TimerLeaseDuration { get; init; }

    /// <summary><c>LocalFunctionsHost__TimerLeaseAcquireInterval</c>: how often a host without a timer's lease tries to take it, default 5 s.</summary>
    public required TimeSpan TimerLeaseAcquireInterval { get; init; }

    /// <summary>The host id: <c>AzureFunctionsWebHost__hostid</c>, else machine name + a hash of the app folder (as the Functions host does locally).</summary>
    public required string HostId { get; init; }

    /// <summary>Reads all settings; returns null with every problem in <paramref name="errors"/> when the host cannot start.</summary>
    public static HostSettings? Load(string scriptRoot, IReadOnlyDictionary<string, string> environment, List<string> errors)
    {
        var root = Path.GetFullPath(scriptRoot);
        if (!Directory.Exists(root))
        {
            errors.Add($"--script-root: the folder {root} does not exist");
            return null;
        }
        var worker = WorkerConfigFile.Load(root, errors);
        var hostJson = HostJsonFile.Load(Path.Combine(root, "host.json"), errors);
        // LocalFunctionsHost__LocalSettingsPath (environment only: it says where the other settings are) lets a script keep
        // the file, which holds secrets, outside the app folder.
        var localSettings = environment.TryGetValue(OwnSection + "__" + LocalSettingsPathSetting, out var path) && path.Length > 0
            ? Path.GetFullPath(path)
            : Path.Combine(root, LocalSettingsFile.FileName);
        if (path is { Length: > 0 } && !File.Exists(localSettings))
        {
            errors.Add($"{OwnSection}__{LocalSettingsPathSetting}: the file {localSettings} does not exist");
        }
        var values = LocalSettingsFile.Load(localSettings, errors);
        var settings = AppSettings.Create(environment, values);

        var merged = new Dictionary<string, string?>(hostJson ?? [], StringComparer.OrdinalIgnoreCase);
        foreach (var pair in settings.Configuration.GetSection(HostJsonFile.SectionName).AsEnumerable())
        {
            if (pair.Value is not null) merged[pair.Key] = pair.Value;
        }
        var hostConfiguration = new ConfigurationBuilder().AddInMemoryCollection(merged).Build();

        var reader = new SettingReader();
        var hostSection = hostConfiguration.GetSection(HostJsonFile.SectionName);
        var functionTimeout = reader.ReadOptionalLimit(hostSection, "functionTimeout", DefaultFunctionTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromDays(365));
        var queues = QueuesOptions.Read(hostConfiguration, Environment.ProcessorCount, reader);
        var own = settings.Configuration.GetSection(OwnSection);
        var visibilityLease = reader.ReadTimeSpan(own, "QueueVisibilityLease", TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(1), QueuesOptions.MaxVisibility);
        var grace = reader.ReadTimeSpan(own, "ShutdownGracePeriod", TimeSpan.FromSeconds(30), TimeSpan.Zero, TimeSpan.FromHours(1));
        var startTimeout = reader.ReadTimeSpan(own, "WorkerStartTimeout", TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        var timerLease = reader.ReadTimeSpan(own, "TimerLeaseDuration", TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(60));
        var timerAcquire = reader.ReadTimeSpan(own, "TimerLeaseAcquireInterval", TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5));

        var runtime = settings["FUNCTIONS_WORKER_RUNTIME"];
        if (worker is not null && runtime is not null && !string.Equals(runtime, worker.Language, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"FUNCTIONS_WORKER_RUNTIME does not match the app's {WorkerConfigFile.FileName} language '{worker.Language}'");
        }
        var hostId = settings[HostIdSetting] ?? DefaultHostId(root);
        if (!IsValidHostId(hostId))
        {
            errors.Add($"{HostIdSetting.Replace(":", "__", StringComparison.Ordinal)} must be 1..32 lower-case letters, digits and hyphens, not starting or ending with a hyphen");
        }

        errors.AddRange(reader.Errors);
        if (errors.Count > 0 || worker is null || hostJson is null) return null;
        return new HostSettings
        {
            ScriptRoot = root,
            AppSettings = settings,
            Worker = worker,
            HostJson = hostConfiguration,
            FunctionTimeout = functionTimeout,
            Queues = queues,
            QueueVisibilityLease = visibilityLease,
            ShutdownGracePeriod = grace,
            WorkerStartTimeout = startTimeout,
            TimerLeaseDuration = timerLease,
            TimerLeaseAcquireInterval = timerAcquire,
            HostId = hostId,
        };
    }

    /// <summary>
    /// Like the Functions host outside App Service: machine name and a stable hash of the app folder, lower case, at
    /// most 32 characters. Two hosts running the same folder on one machine share it, and so share timer leases.
    /// </summary>
    internal static string DefaultHostId(string scriptRoot)
    {
        var hash = BitConverter.ToUInt32(SHA256.HashData(Encoding.UTF8.GetBytes(scriptRoot)), 0);
        var machine = new string(Environment.MachineName.ToLowerInvariant().Where(c => char.IsAsciiLetterOrDigit(c) || c == '-').ToArray());
        var id = $"{machine}-{hash}";
        if (id.Length > 32) id = id[..32];
        return id.Trim('-');
    }

    private static bool IsValidHostId(string id) =>
        id.Length is >= 1 and <= 32 && id[0] != '-' && id[^1] != '-' && id.All(c => char.IsAsciiDigit(c) || char.IsAsciiLetterLower(c) || c == '-');
}
