using System.Text;
using Push.Core.Events;

namespace Push.Core.Tests.Events;

/// <summary>
/// An object that names a member twice is refused: JSON readers disagree on which value wins (first, last,
/// error), so a relay and a producer's validator could read two different events from one message
/// (issue 17, item 3: a second "type" once turned an IM into something else).
/// </summary>
public sealed class DuplicateKeyTests
{
    private static EventProblem? ProblemOf(string json) => PushEventParser.Parse(Encoding.UTF8.GetBytes(json)).Problem;

    private static string Inserted(string json, string after, string member) =>
        json.Replace(after, after + member, StringComparison.Ordinal);

    [Fact]
    public void A_second_type_is_refused_naming_type()
    {
        var json = Inserted(SampleEvents.ImMessage().ToJsonString(), "\"specversion\":\"1.0\",", "\"type\":\"push.device.unregistered\",");

        var problem = ProblemOf(json);

        Assert.Equal(new EventProblem(EventProblemCode.DuplicateKey, "type", "is given more than once"), problem);
    }

    [Fact]
    public void A_repeated_member_deep_inside_data_is_refused_with_its_path()
    {
        var json = Inserted(SampleEvents.CallIncoming().ToJsonString(), "\"caller\":{", "\"number\":\"15550000000\",");

        var problem = ProblemOf(json)!;

        Assert.Equal(("data.caller.number", EventProblemCode.DuplicateKey), (problem.Field, problem.Code));
    }

    [Fact]
    public void Names_that_differ_only_in_their_escapes_are_the_same_name()
    {
        var json = Inserted(SampleEvents.CallEnded().ToJsonString(), "\"specversion\":\"1.0\",", "\"\\u0074ype\":\"push.call.ended\",");

        var problem = ProblemOf(json)!;

        Assert.Equal(("type", EventProblemCode.DuplicateKey), (problem.Field, problem.Code));
    }

    [Fact]
    public void A_repeat_inside_an_ignored_extension_is_refused_too_with_array_indexes_in_the_path()
    {
        var json = Inserted(SampleEvents.CallEnded().ToJsonString(), "\"reason\":\"missed\",", "\"futureField\":[{\"a\":1},{\"b\":1,\"b\":2}],");

        var problem = ProblemOf(json)!;

        Assert.Equal(("data.futureField[1].b", EventProblemCode.DuplicateKey), (problem.Field, problem.Code));
    }

    [Fact]
    public void The_same_name_in_different_objects_is_fine()
    {
        // "name" in caller and in an extension object; "id" at the top and inside encryptionKey.
        var json = Inserted(SampleEvents.IosRegistered().ToJsonString(), "\"specversion\":\"1.0\",", "\"ext\":{\"name\":1,\"id\":2},");

        Assert.Null(ProblemOf(json));
    }

    [Fact]
    public void A_member_name_that_is_not_a_plain_name_is_not_repeated_in_the_reason()
    {
        var json = Inserted(SampleEvents.CallEnded().ToJsonString(), "\"reason\":\"missed\",", "\"Zebediah Quixote\":1,\"Zebediah Quixote\":2,");

        var problem = ProblemOf(json)!;

        Assert.Equal(EventProblemCode.DuplicateKey, problem.Code);
        Assert.Equal("data.*", problem.Field);
        Assert.DoesNotContain("Zebediah", problem.ToString(), StringComparison.Ordinal);
    }
}
