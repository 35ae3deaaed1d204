"""The acquisitions a protocol may schedule (`visits[].activities.acquisitions[].type`) and their names, shown
wherever a visit lists what is due (pure Python)."""

from .schema import Text

ACQUISITION_TYPES: dict[str, Text] = {
    "mri": Text("MRI", "磁共振成像"),
    "psg": Text("Polysomnography", "多导睡眠监测"),
    "hrv": Text("Heart-rate variability", "心率变异性"),
    "emg": Text("Electromyography", "肌电图"),
    "qst": Text("Quantitative sensory testing", "定量感觉测试"),
}
