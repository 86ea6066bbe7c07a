namespace Dspy.Tests.Sim;

public sealed class SimListPriorTests
{
    [Fact]
    public async Task Without_demos_a_list_of_text_gets_key_words_and_other_lists_are_empty_but_valid()
    {
        // Before, every list got key words, so list[dict[str, str]] and list[int] outputs failed validation.
        var predict = new Predict("text -> tags: list[str], entities: list[dict[str, str]], counts: list[int]");
        using (Settings.Context(lm: new LM("sim")))
        {
            var prediction = await predict.CallAsync(new { text = "Apple Inc. announced its latest iPhone today." });

            Assert.Equal(["Apple", "Inc", "announced"], prediction.Get<List<string>>("tags"));
            Assert.Empty(prediction.Get<List<Dictionary<string, string>>>("entities"));
            Assert.Empty(prediction.Get<List<long>>("counts"));
        }
    }
}
