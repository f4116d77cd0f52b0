// Makes the Hugging Face Parquet fixtures of CorpusLayoutsTest with DuckDB's own Parquet writer
// (an implementation independent of the Hardwood reader wavlens uses), shaped as the `datasets`
// library writes them: an audio column that is a struct {bytes, path}, text and metadata columns,
// Snappy (pyarrow's default) and Zstandard pages, and a "huggingface" key-value entry whose
// ClassLabel names the integer gender column.
//
//   mkdir -p /tmp/duckdb && cd /tmp/duckdb && npm install @duckdb/node-api@1.5.6-r.1
//   NODE_PATH=/tmp/duckdb/node_modules node core/src/test/resources/corpus/hf/make_fixtures.cjs
//
// (run from the repository root; it reads ../shared/testdata/wav2vec2/ctc-base/inputs/*.wav)
const { DuckDBInstance } = require('@duckdb/node-api');
const { mkdirSync } = require('node:fs');
const { resolve } = require('node:path');

(async () => {

const here = resolve('core/src/test/resources/corpus/hf');
const inputs = resolve('../shared/testdata/wav2vec2/ctc-base/inputs');
mkdirSync(`${here}/data`, { recursive: true });
mkdirSync(`${here}/bad`, { recursive: true });
const db = await (await DuckDBInstance.create(':memory:')).connect();
const blob = (f) => `(SELECT content FROM read_blob('${inputs}/${f}'))`;
const hf = JSON.stringify({ info: { features: {
  audio: { _type: 'Audio', sampling_rate: 16000 },
  sentence: { dtype: 'string', _type: 'Value' },
  client_id: { dtype: 'string', _type: 'Value' },
  gender: { names: ['male', 'female', 'other'], _type: 'ClassLabel' },
  age: { dtype: 'string', _type: 'Value' },
} } }).replaceAll("'", "''");

// train: two rows, Snappy, string gender as Common Voice on the Hub has it
await db.run(`COPY (
  SELECT {'bytes': ${blob('speech_fi.wav')}, 'path': 'common_voice_fi_1.wav'} AS audio,
         'hyvää huomenta' AS sentence, 'spk_a' AS client_id, 'female_feminine' AS gender, 'twenties' AS age,
         'Savo' AS accents, 'fi' AS locale
  UNION ALL
  SELECT {'bytes': ${blob('synthetic.wav')}, 'path': 'common_voice_fi_2.wav'}, 'kiitos', 'spk_b', 'male_masculine', 'fourties', '', 'fi'
) TO '${here}/data/train-00000-of-00001.parquet' (FORMAT parquet, COMPRESSION snappy)`);

// test: one row, Zstandard, integer gender named by the ClassLabel in the "huggingface" metadata
await db.run(`COPY (
  SELECT {'bytes': ${blob('speech_fi.wav')}, 'path': 'fi_3.wav'} AS audio,
         'terve' AS sentence, 'spk_a' AS client_id, 1::BIGINT AS gender, 'twenties' AS age
) TO '${here}/data/test-00000-of-00001.parquet' (FORMAT parquet, COMPRESSION zstd, KV_METADATA {huggingface: '${hf}'})`);

// bad/: a shard with no audio column, beside one whose second row has no audio bytes
await db.run(`COPY (SELECT 'vain tekstiä' AS text, 'x' AS speaker_id) TO '${here}/bad/train-00000-of-00002.parquet' (FORMAT parquet)`);
await db.run(`COPY (
  SELECT {'bytes': ${blob('speech_fi.wav')}, 'path': 'a.wav'} AS audio, 'yksi' AS text
  UNION ALL
  SELECT {'bytes': NULL::BLOB, 'path': 'b.wav'}, 'kaksi'
) TO '${here}/bad/train-00001-of-00002.parquet' (FORMAT parquet)`);
console.log('wrote', here);
})();
