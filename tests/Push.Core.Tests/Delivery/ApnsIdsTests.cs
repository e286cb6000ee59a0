using Push.Core.Delivery;

namespace Push.Core.Tests.Delivery;

public sealed class ApnsIdsTests
{
    private const string TrackingId = "3b1f6a2e-7c41-4c8e-9a55-0d3e2f1a9b77";

    [Fact]
    public void The_same_push_always_gets_the_same_id()
    {
        Assert.Equal(ApnsIds.For(TrackingId, "iphone-1"), ApnsIds.For(TrackingId, "iphone-1"));
    }

    [Fact]
    public void Another_device_or_another_event_gets_another_id()
    {
        var id = ApnsIds.For(TrackingId, "iphone-1");

        Assert.NotEqual(id, ApnsIds.For(TrackingId, "iphone-2"));
        Assert.NotEqual(id, ApnsIds.For("3b1f6a2e-7c41-4c8e-9a55-0d3e2f1a9b78", "iphone-1"));
        // The separator keeps "a" + "bc" and "ab" + "c" apart.
        Assert.NotEqual(ApnsIds.For("a", "bc"), ApnsIds.For("ab", "c"));
    }

    [Theory]
    [InlineData(TrackingId, "iphone-1")]
    [InlineData("x", "y")]
    [InlineData("evt-!\"$&'()*+,-.:;<=>@[]^_`{|}~", "phone:1@home")]
    public void It_is_an_RFC_9562_version_8_uuid(string trackingId, string deviceId)
    {
        var id = ApnsIds.For(trackingId, deviceId);
        var text = id.ToString("D");

        Assert.Equal(8, id.Version);
        Assert.Equal('8', text[14]);                   // the version nibble as APNs sees the header
        Assert.Contains(text[19], "89ab");             // variant 10
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", text);
    }

    [Fact]
    public void It_matches_the_test_vector_in_ENVELOPE_md()
    {
        // Computed independently (Python hashlib + uuid) from the recipe in docs/ENVELOPE.md.
        Assert.Equal(new Guid("3a8409c0-07b0-827b-a005-d62b8c351bde"), ApnsIds.For(TrackingId, "iphone-1"));
        Assert.Equal(new Guid("2a83ef00-3684-831e-a3a6-b74607a165bd"), ApnsIds.For(TrackingId, "iphone-2"));
    }
}
