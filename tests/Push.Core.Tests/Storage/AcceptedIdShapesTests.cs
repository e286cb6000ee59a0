using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Push.Core.Events;
using Push.Core.Ledger;
using Push.Core.Registry;
using Push.Core.Tests.Events;
using Push.Core.Tests.Registry;
using Push.Testing;

namespace Push.Core.Tests.Storage;

/// <summary>
/// Whatever id the parser accepts, the registry's and the ledger's key builders accept too, and so does the
/// Table service (Azurite checks key characters as Azure does). Every UTF-16 code unit is tried in every id
/// that becomes a key.
/// </summary>
[Collection(RegistryStorageCollection.Name)]
public sealed class AcceptedIdShapesTests(AzuriteFixture azurite)
{
    private static readonly IReadOnlyList<char> AllCodeUnits = Enumerable.Range(0, 0x10000).Select(c => (char)c).ToList();

    private const string Marker = "__id__";

    private static PushEvent? ParseOrNull(JsonObject document)
    {
        var result = PushEventParser.Parse(SampleEvents.Utf8(document));
        return result.IsSuccess ? result.Event : null;
    }

    /// <summary>
    /// Every event the parser accepts out of <paramref name="template"/> with its marker value replaced by
    /// <paramref name="prefix"/> and one code unit (texts spliced in, so 65,536 parses stay quick).
    /// </summary>
    private static IEnumerable<(char CodeUnit, PushEvent Event)> AcceptedVariants(JsonObject template, string prefix, int codeUnits = 0x10000)
    {
        var json = template.ToJsonString();
        var at = json.IndexOf('"' + Marker + '"', StringComparison.Ordinal);
        Assert.True(at > 0);
        var (before, after) = (json[..at], json[(at + Marker.Length + 2)..]);
        foreach (var c in AllCodeUnits.Take(codeUnits))
        {
            var bytes = Encoding.UTF8.GetBytes(before + JsonSerializer.Serialize(prefix + c) + after);
            var result = PushEventParser.Parse(bytes);
            if (result.IsSuccess) yield return (c, result.Event);
        }
    }

    [Fact]
    public void Every_subject_the_parser_accepts_is_a_registry_partition_key()
    {
        var accepted = 0;
        foreach (var (_, evt) in AcceptedVariants(SampleEvents.Unregistered().With(d => d["subject"] = Marker), "user-"))
        {
            KeyBuilders.AssertAccepted(evt);
            accepted++;
        }
        Assert.True(accepted > 60_000, $"only {accepted} code units accepted in a subject"); // any script, not just ASCII
    }

    [Fact]
    public void Every_tracking_id_and_device_id_the_parser_accepts_is_a_registry_and_ledger_key()
    {
        // Every code unit in the tracking id; device ids are read with the same rule, so the first 256 code
        // units (every ASCII and control character) show each place that reads one uses it.
        var templates = new[]
        {
            (SampleEvents.CallEnded().With(d => d["id"] = Marker), 0x10000),
            (SampleEvents.IosRegistered().With(d => d.Data()["deviceId"] = Marker), 0x100),
            (SampleEvents.Unregistered().With(d => d.Data()["deviceId"] = Marker), 0x100),
            (SampleEvents.CallIncoming().With(d => d.Data()["devices"] = new JsonArray("ok-1", Marker)), 0x100),
        };
        foreach (var (template, codeUnits) in templates)
        {
            var accepted = 0;
            foreach (var (_, evt) in AcceptedVariants(template, "id-", codeUnits))
            {
                KeyBuilders.AssertAccepted(evt);
                accepted++;
            }
            Assert.InRange(accepted, 80, 94); // printable ASCII, less the characters keys cannot hold
        }
    }

    [Fact]
    public void The_longest_ids_the_parser_accepts_are_keys_too()
    {
        var evt = ParseOrNull(SampleEvents.IosRegistered().With(d =>
        {
            d["id"] = new string('t', 128);
            d["subject"] = string.Concat(Enumerable.Repeat("\U0001F600", 128)); // 256 UTF-16 code units, 1 KiB of UTF-8
            d.Data()["deviceId"] = new string('d', 128);
        }));

        Assert.NotNull(evt);
        KeyBuilders.AssertAccepted(evt);
    }

    [Fact]
    public async Task The_table_service_stores_and_finds_devices_and_outcomes_under_every_accepted_character()
    {
        // One id of every printable ASCII character the parser accepts in an id, and one subject of the first
        // 200 characters it accepts plus a few from further up.
        var idChars = AcceptedVariants(SampleEvents.CallEnded().With(d => d["id"] = Marker), "x").Select(v => v.CodeUnit).ToList();
        var subjectChars = AcceptedVariants(SampleEvents.CallEnded().With(d => d["subject"] = Marker), "x").Select(v => v.CodeUnit).Take(200).ToList();
        var trackingId = new string([.. idChars]);
        var deviceId = new string([.. idChars]);
        var subject = new string([.. subjectChars]) + "用户\U0001F600";
        Assert.NotNull(ParseOrNull(SampleEvents.Unregistered().With(d => { d["id"] = trackingId; d["subject"] = subject; d.Data()["deviceId"] = deviceId; })));

        var registry = RegistryTestSupport.NewRegistry(azurite.ConnectionString, AzuriteFixture.UniqueName("devices"), RegistryTestSupport.NewProtector());
        await registry.RegisterAsync(RegistryTestSupport.Android(subject, deviceId, "fcm-token", RegistryTestSupport.T0), CancellationToken.None);
        var found = Assert.Single(await registry.GetDevicesAsync(subject, CancellationToken.None));
        Assert.Equal((subject, deviceId), (found.UserId, found.DeviceId));
        Assert.Equal(TokenRemovalOutcome.Removed, await registry.RemoveTokenAsync(subject, deviceId, "fcm-token", RegistryTestSupport.T0.AddDays(1), CancellationToken.None));

        var ledger = new TableDeliveryLedger(new TableServiceClient(azurite.ConnectionString),
            Options.Create(new DeliveryLedgerOptions { Table = AzuriteFixture.UniqueName("deliveries") }), NullLogger<TableDeliveryLedger>.Instance);
        var entry = new LedgerEntry(trackingId, deviceId, PushEventTypes.CallEnded, DeliveryStatus.Delivered, "fcm", null, null, "m-1", 1,
            RegistryTestSupport.T0, RegistryTestSupport.T0);
        await ledger.RecordManyAsync([entry], CancellationToken.None);
        Assert.Equal(entry, (await ledger.GetAsync(trackingId, CancellationToken.None))[deviceId]);
    }
}
