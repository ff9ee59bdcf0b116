package io.streamrag.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Twenty small documents on distinct made-up subjects, and questions whose answer is in exactly one of them. */
final class Corpus {
    record Doc(String id, String title, String text) {
    }

    record Probe(String question, String docId) {
    }

    static final String ORCHID_QUESTION = "What colour are the flowers of the Zephyr orchid?";
    static final String ORCHID_V1_WORD = "turquoise";
    static final String ORCHID_V2_WORD = "crimson";
    static final Doc ORCHID_V1 = new Doc("orchid", "The Zephyr orchid",
            "The flowers of the Zephyr orchid are " + ORCHID_V1_WORD + " and open only at dawn. "
                    + "The plant grows on cliffs above the sea.");
    static final Doc ORCHID_V2 = new Doc("orchid", "The Zephyr orchid",
            "Since the reclassification, the flowers of the Zephyr orchid are described as " + ORCHID_V2_WORD
                    + ". The plant grows on cliffs above the sea and flowers at dawn.");

    private Corpus() {
    }

    static List<Doc> documents() {
        return List.of(
                ORCHID_V1,
                new Doc("lighthouse", "The Karsk lighthouse",
                        "The Karsk lighthouse was built in 1871 from granite. Its lamp can be seen 40 kilometres away."),
                new Doc("volcano", "Mount Teral",
                        "Mount Teral is a shield volcano that last erupted in 1652. Its lava fields cover the east coast."),
                new Doc("bakery", "The Nordby bakery",
                        "The Nordby bakery bakes rye bread with caraway seeds. It opens at five in the morning."),
                new Doc("river", "The Ostra river",
                        "The Ostra river is 312 kilometres long and flows into the Baltic Sea near the town of Lenz."),
                new Doc("robot", "The Pellex robot",
                        "The Pellex robot sorts parcels in warehouses. It lifts up to 25 kilograms with suction grippers."),
                new Doc("violin", "The Amsel violin",
                        "The Amsel violin was made in Cremona in 1702. Its back is carved from a single piece of maple."),
                new Doc("glacier", "The Vatna glacier",
                        "The Vatna glacier retreats about 60 metres every year because summers have grown warmer."),
                new Doc("satellite", "The Orbis-3 satellite",
                        "The Orbis-3 satellite measures sea surface temperature from a polar orbit at 705 kilometres."),
                new Doc("cheese", "Blauberg cheese",
                        "Blauberg cheese is a blue cheese aged for nine months in limestone caves."),
                new Doc("bridge", "The Hallen bridge",
                        "The Hallen bridge is a suspension bridge with a main span of 1,210 metres, opened in 1998."),
                new Doc("beetle", "The copper stag beetle",
                        "The copper stag beetle lives in old oak forests. The males fight with their large mandibles."),
                new Doc("compiler", "The Trex compiler",
                        "The Trex compiler translates a small functional language to WebAssembly in a single pass."),
                new Doc("festival", "The lantern festival of Miro",
                        "The lantern festival of Miro is held every October. Thousands of paper lanterns float on the lake."),
                new Doc("train", "The Silver Arrow train",
                        "The Silver Arrow train runs between Aalen and Brenn at 280 kilometres per hour."),
                new Doc("chess", "The Lindqvist opening",
                        "The Lindqvist opening is a chess opening in which white sacrifices the f-pawn on move three."),
                new Doc("coffee", "Kaldi highland coffee",
                        "Kaldi highland coffee is grown at 2,000 metres and tastes of blackcurrant and cocoa."),
                new Doc("whale", "The Bering beaked whale",
                        "The Bering beaked whale dives deeper than 1,500 metres to hunt squid in the dark."),
                new Doc("library", "The Ferro library",
                        "The Ferro library holds 1.2 million books and a collection of medieval maps."),
                new Doc("battery", "The Solvan battery",
                        "The Solvan battery stores energy in molten salt and keeps a city of 50,000 powered for a night."));
    }

    static List<Probe> probes() {
        return List.of(
                new Probe(ORCHID_QUESTION, "orchid"),
                new Probe("When was the Karsk lighthouse built?", "lighthouse"),
                new Probe("How long is the Ostra river?", "river"),
                new Probe("How deep does the Bering beaked whale dive?", "whale"),
                new Probe("How fast is the Silver Arrow train?", "train"));
    }

    static List<String> jsonLines(List<Doc> docs) {
        ObjectMapper json = new ObjectMapper();
        return docs.stream().map(d -> {
            Map<String, String> line = new LinkedHashMap<>();
            line.put("id", d.id());
            line.put("title", d.title());
            line.put("text", d.text());
            try {
                return json.writeValueAsString(line);
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        }).toList();
    }
}
